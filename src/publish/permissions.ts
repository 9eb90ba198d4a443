import type { Share } from '../domain.js';
import type { LayerApi } from './layer-api.js';

/**
 * Who may use a layer version. Statement ids are derived from the grantee, so a re-run asks for
 * the same statements and finds them, instead of piling up duplicates.
 */
export interface LayerStatement {
  StatementId: string;
  Principal: string;
  OrganizationId?: string;
}

export function layerStatements(share: Share): LayerStatement[] {
  switch (share.kind) {
    case 'none':
      return [];
    case 'public':
      return [{ StatementId: 'lsr-public', Principal: '*' }];
    case 'accounts':
      return share.accounts.map((account) => ({
        StatementId: `lsr-account-${account}`,
        Principal: account,
      }));
    case 'organization':
      // Principal * narrowed by OrganizationId: every account of that organization.
      return [
        {
          StatementId: `lsr-org-${share.organizationId}`,
          Principal: '*',
          OrganizationId: share.organizationId,
        },
      ];
  }
}

/**
 * Adds the share's statements a layer version lacks; returns the ids it added. The policy is read
 * first because not every endpoint refuses a duplicate id (moto accepts it); AWS's refusal
 * (ResourceConflictException, from a concurrent run) counts as success too.
 */
export async function ensurePermissions(
  api: LayerApi,
  layerName: string,
  version: number,
  share: Share,
): Promise<string[]> {
  const wanted = layerStatements(share);
  if (wanted.length === 0) return [];
  const existing = await api.statementIds(layerName, version);
  const added: string[] = [];
  for (const statement of wanted) {
    if (existing.has(statement.StatementId)) continue;
    const isNew = await api.addPermission({
      LayerName: layerName,
      VersionNumber: version,
      Action: 'lambda:GetLayerVersion',
      ...statement,
    });
    if (isNew) added.push(statement.StatementId);
  }
  return added;
}
