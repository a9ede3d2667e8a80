// How the admin CLI gets a new password without putting it on the command
// line, where `ps` and shell history keep it: typed at the terminal without
// echo (twice), or the first line of stdin when that is a pipe or a file
//   printf '%s\n' "$PASSWORD" | npm run admin -- reset-password --username lan
import type { ReadStream } from 'node:tty';

export class PasswordInputError extends Error {}

/** The first line of a non-terminal stdin. */
async function readLine(stdin: NodeJS.ReadStream): Promise<string> {
  let text = '';
  for await (const chunk of stdin) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

/** One line typed at the terminal, echoing nothing. */
function readHidden(stdin: ReadStream, prompt: string): Promise<string> {
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003' || ch === '\u0004') return done(new PasswordInputError('cancelled'));
        if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
        else if (ch >= ' ') typed += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

export async function readNewPassword(stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  let password: string;
  if (stdin.isTTY) {
    const tty = stdin as ReadStream;
    password = await readHidden(tty, 'New password: ');
    if ((await readHidden(tty, 'Again: ')) !== password) throw new PasswordInputError('the two passwords differ');
  } else {
    password = await readLine(stdin);
  }
  if (!password) throw new PasswordInputError('no password given (type it when asked, or pipe it to stdin)');
  return password;
}
