import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { isKind } from '../core/index.js';
import { DEFAULT_CAPABILITIES } from './defaults.js';
import { convertSeccompProfile, goArch, scmpArch, unsupportedArches } from './seccomp.js';

const profile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 38,
  archMap: [
    { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
    { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
  ],
  syscalls: [
    { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW', args: [], comment: '', includes: {}, excludes: {} },
    { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, valueTwo: 0, op: 'SCMP_CMP_EQ' }], includes: {}, excludes: {} },
    { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64', 'x32'] } },
    { names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['chroot'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_CHROOT'] } },
    { names: ['new_thing'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '9.0' } },
    { names: ['bpf'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, excludes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['s390_only'], action: 'SCMP_ACT_ALLOW', excludes: { arches: ['amd64'] } },
  ],
};

test('converts for amd64 with the default caps (moby semantics)', () => {
  const s = convertSeccompProfile(profile, { arch: 'amd64', caps: DEFAULT_CAPABILITIES, kernel: '6.1.0-18-amd64' });
  assert.equal(s.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(s.defaultErrnoRet, 38);
  assert.deepEqual(s.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  const names = (s.syscalls ?? []).flatMap((c) => c.names);
  assert.deepEqual(names, ['read', 'write', 'personality', 'arch_prctl', 'chroot', 'bpf']);
  assert.deepEqual(s.syscalls?.[1]?.args, [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }]);
  assert.equal(s.syscalls?.at(-1)?.errnoRet, 1);
  assert.equal(s.syscalls?.[0]?.args, undefined);
});

test('arm64 and extra caps change the result', () => {
  const s = convertSeccompProfile(profile, { arch: 'arm64', caps: [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'], kernel: '10.0' });
  const names = (s.syscalls ?? []).flatMap((c) => c.names);
  assert.deepEqual(s.architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
  assert.ok(names.includes('mount') && names.includes('new_thing') && names.includes('s390_only'));
  assert.ok(!names.includes('bpf') && !names.includes('arch_prctl'));
});

test('arch names and bad input', () => {
  assert.equal(goArch('x64'), 'amd64');
  assert.equal(scmpArch('amd64'), 'SCMP_ARCH_X86_64');
  assert.throws(() => convertSeccompProfile({ syscalls: 3 }, { arch: 'amd64', caps: [], kernel: '6.1' }), (e: unknown) => isKind(e, 'invalid-argument'));
});

test('the containers-common profile converts', { skip: !existsSync('/usr/share/containers/seccomp.json') }, () => {
  const raw: unknown = JSON.parse(readFileSync('/usr/share/containers/seccomp.json', 'utf8'));
  const s = convertSeccompProfile(raw, { arch: 'amd64', caps: DEFAULT_CAPABILITIES, kernel: '6.1.0' });
  const names = new Set((s.syscalls ?? []).flatMap((c) => c.names));
  assert.ok(names.has('read') && names.has('execve') && names.has('chroot'));
  assert.ok((s.syscalls?.length ?? 0) > 10);
});

test('x32 is left out of the filter only when the kernel config says it is not built', () => {
  assert.deepEqual(unsupportedArches('CONFIG_IA32_EMULATION=y\n# CONFIG_X86_X32_ABI is not set\n'), ['SCMP_ARCH_X32']);
  assert.deepEqual(unsupportedArches('CONFIG_X86_X32_ABI=y\n'), []);
  assert.deepEqual(unsupportedArches(undefined), []);
});
