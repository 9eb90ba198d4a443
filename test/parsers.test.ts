import { InputError } from '../src/errors.js';
import {
  parseArchitectures,
  parseBoolean,
  parseLayerName,
  parseRegions,
  parseS3Bucket,
  parseShare,
  parseAlignVersions,
  parseSteps,
  parseVersion,
} from '../src/parsers.js';
import { regionInfo } from '../src/aws/regions.js';

describe('input parsers', () => {
  it('reads architectures, accepting x86_64 for amd64', () => {
    expect(parseArchitectures('arm64, amd64')).toEqual(['arm64', 'amd64']);
    expect(parseArchitectures('x86_64\narm64')).toEqual(['amd64', 'arm64']);
    expect(() => parseArchitectures('arm64,mips')).toThrow(/Invalid input "architectures": "mips"/);
    expect(() => parseArchitectures('')).toThrow(InputError);
  });

  it('reads the version from the input or the pushed tag', () => {
    expect(parseVersion('1.2.3')).toBe('1.2.3');
    expect(parseVersion('v2.0.0-rc.1')).toBe('2.0.0-rc.1');
    expect(parseVersion('', 'refs/tags/v1.4.0')).toBe('1.4.0');
    expect(() => parseVersion('', 'refs/heads/main')).toThrow(/"version"/);
    expect(() => parseVersion('', 'refs/tags/latest')).toThrow(
      /version \(from refs\/tags\/latest\)/,
    );
    expect(() => parseVersion('1.2')).toThrow(/semantic version/);
  });

  it('reads regions and rejects a bad one by name', () => {
    expect(parseRegions('us-east-1,eu-west-1 ap-southeast-2')).toEqual([
      'us-east-1',
      'eu-west-1',
      'ap-southeast-2',
    ]);
    expect(() => parseRegions('us-east-1,mars-1')).toThrow(/"regions": "mars-1"/);
  });

  it.each(['us-east-10', 'eu-west-0', 'us-east-1x', 'aws-global', 'US-EAST-1'])(
    'refuses %s, which only looks like a region (the SDK has no such region)',
    (region) => {
      expect(() => parseRegions(`eu-west-1,${region}`, 'regions')).toThrow(
        new RegExp(
          `^Invalid input "regions": "${region}" is not allowed; expected AWS region codes`,
        ),
      );
    },
  );

  it('accepts every partition, one per run, and refuses a mix naming both', () => {
    expect(parseRegions('us-gov-west-1,us-gov-east-1')).toEqual(['us-gov-west-1', 'us-gov-east-1']);
    expect(parseRegions('cn-north-1,cn-northwest-1')).toEqual(['cn-north-1', 'cn-northwest-1']);
    expect(parseRegions('eusc-de-east-1')).toEqual(['eusc-de-east-1']);
    expect(() => parseRegions('us-east-1,cn-north-1')).toThrow(
      /"regions".*one AWS partition per run.*us-east-1 \(aws\), cn-north-1 \(aws-cn\)/,
    );
    expect(() => parseRegions('eusc-de-east-1,us-gov-west-1', 'sar-region')).toThrow(
      /"sar-region".*eusc-de-east-1 \(aws-eusc\), us-gov-west-1 \(aws-us-gov\)/,
    );
  });

  it('says which regions are opt-in and names each partition', () => {
    expect(regionInfo('af-south-1')).toEqual({
      region: 'af-south-1',
      partition: 'aws',
      description: 'Africa (Cape Town)',
      optIn: true,
    });
    expect(regionInfo('us-east-1')).toMatchObject({ partition: 'aws', optIn: false });
    expect(regionInfo('cn-north-1')).toMatchObject({ partition: 'aws-cn' });
    expect(regionInfo('us-gov-east-1')).toMatchObject({ partition: 'aws-us-gov' });
    expect(regionInfo('eusc-de-east-1')).toMatchObject({ partition: 'aws-eusc' });
    expect(regionInfo('us-east-10')).toBeUndefined();
  });

  it.each(['12345678901', '1234567890123', '12345678901a'])(
    'refuses the account id %s (AWS account ids have 12 digits)',
    (account) => {
      expect(() => parseShare(`123456789012,${account}`)).toThrow(
        /"share".*12-digit AWS account ids/,
      );
    },
  );

  it('reads every form of share', () => {
    expect(parseShare('public')).toEqual({ kind: 'public' });
    expect(parseShare('none')).toEqual({ kind: 'none' });
    expect(parseShare('123456789012,210987654321')).toEqual({
      kind: 'accounts',
      accounts: ['123456789012', '210987654321'],
    });
    expect(parseShare('o-abc123def4')).toEqual({
      kind: 'organization',
      organizationId: 'o-abc123def4',
    });
    expect(() => parseShare('everyone')).toThrow(/"share": "everyone"/);
    expect(() => parseShare('12345')).toThrow(InputError);
  });

  it('reads steps in pipeline order', () => {
    expect(parseSteps('')).toEqual(['build', 'test', 'release', 'publish', 'canary', 'ssm', 'sar']);
    expect(parseSteps('publish,build')).toEqual(['build', 'publish']);
    expect(parseSteps('sar,ssm,canary,publish')).toEqual(['publish', 'canary', 'ssm', 'sar']);
    expect(() => parseSteps('deploy')).toThrow(/"steps": "deploy".*sar, retract, or all$/);
  });

  it('runs retract only when named, and alone', () => {
    expect(parseSteps('retract')).toEqual(['retract']);
    expect(parseSteps('all')).not.toContain('retract');
    expect(() => parseSteps('publish,retract')).toThrow(
      /"steps": "publish,retract".*retract alone/,
    );
  });

  it('reads align-versions as off, fill (true) or replay', () => {
    expect([parseAlignVersions(''), parseAlignVersions('false')]).toEqual([undefined, undefined]);
    expect([parseAlignVersions('true'), parseAlignVersions('fill')]).toEqual(['fill', 'fill']);
    expect(parseAlignVersions('Replay')).toBe('replay');
    expect(() => parseAlignVersions('backfill')).toThrow(
      /"align-versions": "backfill".*false, fill \(or true\) or replay/,
    );
  });

  it('checks layer names, buckets and booleans', () => {
    expect(parseLayerName('')).toBe('lambda-shell-runtime-{arch}');
    expect(() => parseLayerName('bad name {arch}')).toThrow(/"layer-name"/);
    expect(() => parseLayerName('fixed')).toThrow(/\{arch\}/);
    expect(parseS3Bucket('layers-{region}')).toBe('layers-{region}');
    expect(() => parseS3Bucket('Bad_Bucket')).toThrow(/"s3-bucket"/);
    expect(parseBoolean('true', 'dry-run')).toBe(true);
    expect(() => parseBoolean('yes', 'dry-run')).toThrow(/"dry-run": "yes"/);
  });
});
