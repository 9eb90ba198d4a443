import { parseLdd } from '../../src/build/local-builder.js';
import { hostArchitecture } from '../../src/platform.js';

describe('local builder helpers', () => {
  it('maps node architectures to Docker names', () => {
    expect(hostArchitecture('x64')).toBe('amd64');
    expect(hostArchitecture('arm64')).toBe('arm64');
    expect(hostArchitecture('s390x')).toBeUndefined();
  });

  it('keeps the libraries jq brings, not glibc or the loader', () => {
    const debian = `	linux-vdso.so.1 (0x00007ffd5d9f2000)
	libjq.so.1 => /lib/x86_64-linux-gnu/libjq.so.1 (0x00007f2b6c1c5000)
	libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f2b6bfe3000)
	libm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x00007f2b6bf03000)
	libonig.so.5 => /lib/x86_64-linux-gnu/libonig.so.5 (0x00007f2b6be6c000)
	/lib64/ld-linux-x86-64.so.2 (0x00007f2b6c22e000)
`;
    expect(parseLdd(debian)).toEqual([
      { name: 'libjq.so.1', path: '/lib/x86_64-linux-gnu/libjq.so.1' },
      { name: 'libonig.so.5', path: '/lib/x86_64-linux-gnu/libonig.so.5' },
    ]);
    const aarch64 = `	linux-vdso.so.1 (0x0000ffff9a1e4000)
	libonig.so.5 => /lib64/libonig.so.5 (0x0000ffff9a0f0000)
	libc.so.6 => /lib64/libc.so.6 (0x0000ffff99f40000)
	/lib/ld-linux-aarch64.so.1 (0x0000ffff9a1a7000)
`;
    expect(parseLdd(aarch64)).toEqual([{ name: 'libonig.so.5', path: '/lib64/libonig.so.5' }]);
  });

  it('fails on a library ldd cannot find', () => {
    expect(() => parseLdd('\tlibonig.so.5 => not found\n')).toThrow(
      /ldd cannot find a library jq needs: libonig.so.5 => not found/,
    );
  });
});
