import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from './template.js';

const data = {
  Name: '/web',
  State: { Status: 'running', Running: true, Pid: 42, ExitCode: 0 },
  Config: { Labels: { app: 'x', tier: 'db' }, Env: ['A=1', 'B=2'], Cmd: ['sh', '-c', 'x'] },
  Mounts: [{ Source: '/a', Destination: '/b' }, { Source: '/c', Destination: '/d' }],
  Empty: [],
  Count: 3,
};
const run = (t: string, d: unknown = data): string => new Template(t).execute(d);

test('fields and nesting', () => {
  assert.equal(run('{{.Name}} {{.State.Status}} {{.State.Pid}}'), '/web running 42');
});

test('json', () => {
  assert.equal(run('{{json .Config.Labels}}'), '{"app":"x","tier":"db"}');
  assert.equal(run('{{json .Empty}}'), '[]');
});

test('index, join, upper, lower, len', () => {
  assert.equal(run('{{index .Config.Labels "tier"}}'), 'db');
  assert.equal(run('{{index .Config.Cmd 1}}'), '-c');
  assert.equal(run('{{join .Config.Env ","}}'), 'A=1,B=2');
  assert.equal(run('{{upper .State.Status}}|{{lower "AbC"}}|{{len .Mounts}}'), 'RUNNING|abc|2');
});

test('range, with variables, else', () => {
  assert.equal(run('{{range .Mounts}}{{.Source}}:{{.Destination}} {{end}}'), '/a:/b /c:/d ');
  assert.equal(run('{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}'), 'app=x;tier=db;');
  assert.equal(run('{{range .Empty}}x{{else}}none{{end}}'), 'none');
  assert.equal(run('{{range $i, $m := .Mounts}}{{$i}}{{end}}'), '01');
});

test('if / else if / else and comparisons', () => {
  assert.equal(run('{{if .State.Running}}up{{else}}down{{end}}'), 'up');
  assert.equal(run('{{if eq .State.Status "exited"}}e{{else if eq .State.Status "running"}}r{{else}}?{{end}}'), 'r');
  assert.equal(run('{{if not .State.Running}}a{{else}}b{{end}}'), 'b');
  assert.equal(run('{{if and .State.Running (eq .Count 3)}}ok{{end}}'), 'ok');
});

test('pipelines, println, printf, trim markers', () => {
  assert.equal(run('{{.State.Status | upper}}'), 'RUNNING');
  assert.equal(run('{{println .Name}}'), '/web\n');
  assert.equal(run('{{printf "%s-%d" .Name .Count}}'), '/web-3');
  assert.equal(run('a  {{- .Count -}}  b'), 'a3b');
});

test('Go value printing', () => {
  assert.equal(run('{{.Config.Labels}}'), 'map[app:x tier:db]');
  assert.equal(run('{{.Config.Env}}'), '[A=1 B=2]');
  assert.equal(run('{{.State}}'), '{running true 42 0}');
  assert.equal(run('{{.Missing}}'), '<no value>');
});

test('methods with arguments', () => {
  const row = { Labels: 'a=b', Label: (k: unknown) => (k === 'a' ? 'b' : '') };
  assert.equal(run('{{.Label "a"}}', row), 'b');
});

test('errors', () => {
  assert.throws(() => new Template('{{if .X}}'), /unexpected EOF/);
  assert.throws(() => run('{{nosuch .X}}'), /function "nosuch" not defined/);
});

test('a field chain on a parenthesised pipeline: (index .M "k").F', () => {
  const data = { M: { 'a-net': { Aliases: ['x', 'y'] } } };
  assert.equal(run('{{json (index .M "a-net").Aliases}}', data), '["x","y"]');
  assert.equal(run('{{(index .M "a-net").Aliases}}', data), '[x y]');
});

test('index of a missing key in a string map is "" as Go prints map[string]string', () => {
  assert.equal(run('[{{index .Config.Labels "nope"}}]'), '[]');
});
