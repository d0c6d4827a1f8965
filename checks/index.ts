import type { Check } from '../src/audit/types.js';
import ebsDefaultEncryption from './ec2/ebs-default-encryption.js';
import imdsv2 from './ec2/imdsv2.js';
import instanceProfile from './ec2/instance-profile.js';
import naclAdminPorts from './ec2/nacl-admin-ports.js';
import publicSnapshot from './ec2/public-snapshot.js';
import requiredTags from './ec2/required-tags.js';
import vpcFlowLogs from './vpc/flow-logs.js';
import s3AccountBlockPublicAccess from './s3/account-block-public-access.js';
import s3BlockPublicAccess from './s3/block-public-access.js';
import s3DefaultEncryption from './s3/default-encryption.js';
import s3PublicAcl from './s3/public-acl.js';
import s3PublicPolicy from './s3/public-policy.js';
import s3SecureTransport from './s3/secure-transport.js';
import cloudtrailBucketLogging from './cloudtrail/bucket-logging.js';
import cloudtrailBucketPublic from './cloudtrail/bucket-public.js';
import cloudtrailCloudwatchLogs from './cloudtrail/cloudwatch-logs.js';
import cloudtrailEnabled from './cloudtrail/enabled.js';
import cloudtrailKms from './cloudtrail/kms.js';
import cloudtrailLogValidation from './cloudtrail/log-validation.js';
import cloudtrailS3DataEvents from './cloudtrail/s3-data-events.js';
import configRecorder from './config/recorder.js';
import accessAnalyzerEnabled from './accessanalyzer/enabled.js';
import securityHubEnabled from './securityhub/enabled.js';
import route53Dmarc from './route53/dmarc.js';
import cloudfrontCertificate from './cloudfront/certificate.js';
import cloudfrontOriginTls from './cloudfront/origin-tls.js';
import elbListenerInsecure from './elb/listener-insecure.js';
import cloudwatchSecurityAlarms from './cloudwatch/security-alarms.js';
import elbSecurityGroups from './elb/security-groups.js';
import cloudfrontViewerTls from './cloudfront/viewer-tls.js';
import route53Spf from './route53/spf.js';
import defaultSgTraffic from './ec2/default-sg-traffic.js';
import sgOpenAll from './ec2/sg-open-all.js';
import sgOpenOther from './ec2/sg-open-other.js';
import sgRiskyPorts from './ec2/sg-risky-ports.js';
import accessKeyRotation from './iam/access-key-rotation.js';
import adminPolicy from './iam/admin-policy.js';
import credentialsUnused from './iam/credentials-unused.js';
import expiredServerCertificates from './iam/expired-server-certificates.js';
import exposedAccessKey from './iam/exposed-access-key.js';
import multipleActiveKeys from './iam/multiple-active-keys.js';
import noUsersOrRoles from './iam/no-users-or-roles.js';
import passwordPolicy from './iam/password-policy.js';
import rootAccessKeys from './iam/root-access-keys.js';
import rootMfa from './iam/root-mfa.js';
import rootRecentUse from './iam/root-recent-use.js';
import supportRole from './iam/support-role.js';
import userConsoleMfa from './iam/user-console-mfa.js';
import userDirectPolicies from './iam/user-direct-policies.js';
import efsEncryption from './efs/encryption.js';
import kmsKeyRotation from './kms/key-rotation.js';
import rdsBackupRetention from './rds/backup-retention.js';
import rdsDeletionProtection from './rds/deletion-protection.js';
import rdsMinorVersionUpgrade from './rds/minor-version-upgrade.js';
import rdsPublicAccess from './rds/public-access.js';
import rdsPublicSnapshot from './rds/public-snapshot.js';
import rdsSgOpen from './rds/sg-open.js';
import rdsStorageEncrypted from './rds/storage-encrypted.js';

/** Every check, grouped by service (the README table follows this order; reports sort by severity). Ids are part of the contract. */
export const ALL_CHECKS: readonly Check[] = [
  rootMfa,
  rootAccessKeys,
  exposedAccessKey,
  rootRecentUse,
  userConsoleMfa,
  adminPolicy,
  expiredServerCertificates,
  passwordPolicy,
  accessKeyRotation,
  credentialsUnused,
  multipleActiveKeys,
  noUsersOrRoles,
  userDirectPolicies,
  supportRole,
  sgRiskyPorts,
  sgOpenAll,
  sgOpenOther,
  defaultSgTraffic,
  naclAdminPorts,
  publicSnapshot,
  ebsDefaultEncryption,
  imdsv2,
  instanceProfile,
  requiredTags,
  vpcFlowLogs,
  s3PublicAcl,
  s3PublicPolicy,
  s3BlockPublicAccess,
  s3AccountBlockPublicAccess,
  s3DefaultEncryption,
  s3SecureTransport,
  cloudtrailEnabled,
  cloudtrailLogValidation,
  cloudtrailKms,
  cloudtrailBucketPublic,
  cloudtrailCloudwatchLogs,
  cloudtrailS3DataEvents,
  cloudtrailBucketLogging,
  rdsPublicSnapshot,
  rdsSgOpen,
  rdsPublicAccess,
  rdsStorageEncrypted,
  rdsBackupRetention,
  rdsMinorVersionUpgrade,
  rdsDeletionProtection,
  efsEncryption,
  kmsKeyRotation,
  configRecorder,
  accessAnalyzerEnabled,
  securityHubEnabled,
  route53Spf,
  route53Dmarc,
  cloudfrontViewerTls,
  cloudfrontOriginTls,
  cloudfrontCertificate,
  elbListenerInsecure,
  elbSecurityGroups,
  cloudwatchSecurityAlarms,
];
