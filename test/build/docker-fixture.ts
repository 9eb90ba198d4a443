import type { FakeBin, FakeRule } from '../helpers/fake-bin.js';

/** sh for a fake `docker buildx build`: writes a layer tree of the requested platform into dest. */
export const FAKE_LAYER_BUILD = `
for a; do
  case "$a" in
    type=local,dest=*) dest="\${a#type=local,dest=}" ;;
    linux/amd64) m='\\076' ;;
    linux/arm64) m='\\267' ;;
  esac
done
[ -n "\${FAKE_WRONG_MACHINE:-}" ] && m='\\050'
mkdir -p "$dest/bin" "$dest/aws-cli" "$dest/bootstrap.d"
printf '#!/bin/sh\\n' > "$dest/bootstrap"; chmod 755 "$dest/bootstrap"
printf '# bash\\n' > "$dest/bootstrap.d/http-bash.sh"
printf "\\177ELF\\002\\001\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\002\\000$m\\000" > "$dest/bin/jq"
chmod 755 "$dest/bin/jq"
cp "$dest/bin/jq" "$dest/aws-cli/aws"
ln -s ../aws-cli/aws "$dest/bin/aws"
`;

export const BUILDX_VERSION = 'github.com/docker/buildx v0.30.1 0adf9b8\n';

/** A docker whose daemon is `daemonArch`, with buildx, binfmt for `supported`, an existing builder. */
export function fakeDocker(
  bin: FakeBin,
  daemonArch = 'amd64',
  supported = ['linux/amd64', 'linux/arm64'],
  extra: FakeRule[] = [],
): void {
  bin.add(
    'docker',
    [
      ...extra,
      { args: ['version'], stdout: `${daemonArch}\n` },
      { args: ['buildx', 'version'], stdout: BUILDX_VERSION },
      {
        args: ['buildx', 'inspect'],
        stdout: 'Name: lambda-shell-runtime\nDriver: docker-container\n',
      },
      { args: ['buildx', 'build'], script: FAKE_LAYER_BUILD },
      { match: /^run --rm --privileged \S+binfmt\S*$/, stdout: JSON.stringify({ supported }) },
    ],
    { recordEnv: ['FAKE_WRONG_MACHINE'] },
  );
}
