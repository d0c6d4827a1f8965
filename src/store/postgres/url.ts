/** A connection string as messages show it: no password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    // pg takes a password as a parameter too (?password=…), and TLS keys' passphrases (?sslpassword=…).
    for (const key of [...u.searchParams.keys()]) if (/pass/i.test(key)) u.searchParams.set(key, '***');
    return u.toString().replaceAll('%2A%2A%2A', '***');
  } catch {
    return 'postgres://(unparsable URL)';
  }
}
