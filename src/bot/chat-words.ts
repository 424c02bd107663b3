/**
 * Messages the engine and the adapters share between the terminal and the chat sometimes name CLI
 * commands ("run `crate spotify-login`"). In the chat the owner has commands, not a shell: this
 * turns those into the chat's own words at the edge, so the shared texts can stay as they are.
 */
const CHAT_COMMAND: Record<string, string> = {
  'spotify-login': '/spotify',
  login: '/login',
  status: '/jobs',
  'accept-bot': '/acceptbot',
};

export function toChatWords(text: string): string {
  let out = text;
  // "`crate login` or /login", "`crate login` (or /login in the control bot)", "… or send /login to your bot": the chat half only.
  out = out.replace(
    /`crate (spotify-login|login|status|accept-bot)`\s*(?:\((?:or )?(?:send |use )?\/\w+(?: (?:to|in) (?:your bot|the control bot))?\)|or (?:send |use )?\/\w+(?: (?:to|in) (?:your bot|the control bot))?)/g,
    (_m, cmd: string) => CHAT_COMMAND[cmd] ?? `/${cmd}`,
  );
  // "(or /login in the control bot)" after a command already in chat words, and "… to the control bot".
  out = out.replace(/\s*\((?:or )?(?:send )?(\/\w+) (?:to|in) (?:your bot|the control bot)\)/g, '');
  out = out.replace(/(\/\w+) (?:to|in) (?:your bot|the control bot)/g, '$1');
  out = out.replace(/`crate (spotify-login|login|status|accept-bot)`/g, (_m, cmd: string) => CHAT_COMMAND[cmd] ?? `/${cmd}`);
  // A chat command is sent, not run.
  out = out.replace(/\b([Rr])un (\/\w+)/g, (_m, r: string, cmd: string) => `${r === 'R' ? 'Send' : 'send'} ${cmd}`);
  return out;
}
