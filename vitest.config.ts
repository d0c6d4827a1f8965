import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Builds dist/ once: process tests spawn the built CLI, as users run it.
    globalSetup: ['test/global-setup.ts'],
    // CI is a 2-core machine that may be busy: a test's budget is for a hang, not a measure of speed.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests must never reach a real AWS account or a real credential file.
    env: {
      AWS_ACCESS_KEY_ID: 'AKIATESTTESTTESTTEST',
      AWS_SECRET_ACCESS_KEY: 'test-secret',
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});
