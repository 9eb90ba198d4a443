import type { ApplicationPolicyStatement } from '@aws-sdk/client-serverlessapplicationrepository';
import { messageOf } from '../errors.js';
import type { Share } from '../domain.js';
import { log } from '../log.js';
import { retryWithBackoff, type RetryOptions } from '../retry.js';
import { isAwsError } from '../aws/errors.js';
import type { SarApi } from './sar-api.js';

/** Who may deploy the application: the same audience as the layers' share. */
export function applicationStatements(share: Share): ApplicationPolicyStatement[] {
  const deploy = { Actions: ['Deploy'] };
  switch (share.kind) {
    case 'none':
      return [];
    case 'public':
      return [{ StatementId: 'lsr-public', Principals: ['*'], ...deploy }];
    case 'accounts':
      return [{ StatementId: 'lsr-accounts', Principals: share.accounts, ...deploy }];
    case 'organization':
      return [
        {
          StatementId: 'lsr-org',
          Principals: ['*'],
          PrincipalOrgIDs: [share.organizationId],
          ...deploy,
        },
      ];
  }
}

// Right after creation SAR refuses the policy for a while (Powertools sleeps 15 s first): retry.
const POLICY_RETRY: RetryOptions = { attempts: 10, baseMs: 2_000, maxMs: 20_000 };

/** Sets the application policy (it replaces the whole policy, so a re-run is idempotent). */
export async function shareApplication(
  api: SarApi,
  applicationId: string,
  share: Share,
  retry: RetryOptions = {},
): Promise<boolean> {
  const statements = applicationStatements(share);
  if (statements.length === 0) return false;
  await retryWithBackoff(() => api.putPolicy(applicationId, statements), {
    ...POLICY_RETRY,
    // A permission problem does not pass with time.
    isRetryable: (error) => !isAwsError(error, 'ForbiddenException'),
    onRetry: (error, attempt, delayMs) =>
      log.info(
        `PutApplicationPolicy for ${applicationId} failed: ${messageOf(error)}; attempt ${attempt + 1} in ${delayMs} ms`,
      ),
    ...retry,
  });
  return true;
}
