import { helpFlag, StatusError, type CommandDef } from '../command.js';
import { parseImageRef } from '../opts/reference.js';

/** docker commit: prints the new image's id (`sha256:…`). */
export const commit: CommandDef = {
  name: 'commit',
  usage: 'commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
  short: "Create a new image from a container's changes",
  flags: [
    { name: 'author', short: 'a', kind: 'string', help: 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")' },
    { name: 'change', short: 'c', kind: 'list', help: 'Apply Dockerfile instruction to the created image' },
    { name: 'message', short: 'm', kind: 'string', help: 'Commit message' },
    { name: 'pause', short: 'p', kind: 'bool', defaultTrue: true, help: 'Pause container during commit' },
    helpFlag,
  ],
  args: { min: 1, max: 2 },
  async run(ctx, p, args) {
    const [container, reference] = args as [string, string | undefined];
    let repo: string | undefined;
    let tag: string | undefined;
    if (reference !== undefined && reference !== '') {
      // as the Go client: the full repository name and a tag (default latest); no digests
      const ref = parseImageRef(reference);
      if (ref.digest !== undefined) throw new StatusError(1, 'refusing to create a tag with a digest reference');
      repo = ref.repository;
      tag = ref.tag;
    }
    const res = await ctx.client().containerCommit(container, {
      ...(repo !== undefined ? { repo } : {}), ...(tag !== undefined ? { tag } : {}),
      ...(p.has('message') ? { comment: p.str('message')! } : {}),
      ...(p.has('author') ? { author: p.str('author')! } : {}),
      changes: p.list('change'),
      pause: p.bool('pause'),
    });
    ctx.out(`${res.Id}\n`);
    return 0;
  },
};
