import { randomBytes } from 'node:crypto';

/** A 64-hex-digit id, as Docker uses for containers and execs. */
export function newId(): string {
  return randomBytes(32).toString('hex');
}

/** The 12-digit short form of an id (also the default hostname). */
export function shortId(id: string): string {
  const hex = id.startsWith('sha256:') ? id.slice(7) : id;
  return hex.slice(0, 12);
}

const ADJECTIVES = [
  'admiring', 'agile', 'amazing', 'bold', 'brave', 'calm', 'clever', 'cool', 'dazzling', 'eager',
  'elastic', 'epic', 'fervent', 'focused', 'gallant', 'gifted', 'happy', 'hopeful', 'jolly', 'keen',
  'kind', 'loving', 'lucid', 'modest', 'nice', 'optimistic', 'peaceful', 'quirky', 'relaxed',
  'serene', 'sharp', 'stoic', 'sweet', 'tender', 'trusting', 'upbeat', 'vibrant', 'wizardly', 'zen',
];
const NOUNS = [
  'albatross', 'anchor', 'barge', 'beacon', 'buoy', 'cabin', 'canal', 'cargo', 'compass', 'cove',
  'current', 'delta', 'dock', 'estuary', 'ferry', 'fjord', 'galley', 'harbor', 'helm', 'inlet',
  'jetty', 'keel', 'lagoon', 'lighthouse', 'mast', 'mooring', 'narrows', 'oar', 'pier', 'quay',
  'reef', 'rudder', 'schooner', 'sextant', 'tide', 'wharf',
];

/** A random `adjective_noun` container name, as Docker generates one. */
export function randomName(): string {
  const pick = (list: string[]): string => list[randomBytes(1)[0]! % list.length]!;
  return `${pick(ADJECTIVES)}_${pick(NOUNS)}`;
}

/** Docker's rule for container names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
export const VALID_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
