/** The command menu (setMyCommands at start) and the /help text share this list. */
export const BOT_COMMANDS = [
  { command: 'start', description: 'What Crate is and what to do next' },
  { command: 'help', description: 'How to use Crate' },
  { command: 'status', description: 'Telegram session, pacer and jobs' },
  { command: 'jobs', description: 'Recent jobs' },
  { command: 'missing', description: 'Tracks that need you: /missing [job]' },
  { command: 'pause', description: 'Pause jobs: /pause [job]' },
  { command: 'resume', description: 'Resume jobs: /resume [job]' },
  { command: 'cancel', description: 'Cancel a job: /cancel [job]' },
  { command: 'login', description: 'Log in the Telegram account that talks to the bot' },
  { command: 'spotify', description: 'Log in to Spotify (your own playlists, full lists)' },
  { command: 'watch', description: 'Follow a playlist: /watch LINK [6h]' },
  { command: 'watches', description: 'Watched playlists: check, pause, stop' },
  { command: 'settings', description: 'Quality, message gap, batch size' },
  { command: 'probe', description: 'Record one exchange with @LosslessRobot: /probe Artist - Title' },
  { command: 'acceptbot', description: 'Accept the account the bot username now names (after Crate stopped over it)' },
] as const;
