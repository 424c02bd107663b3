/**
 * What the words of a bot reply mean, when its keyboard does not already say (a menu, a quality
 * menu, a document). Nobody here has seen every text the real @LosslessRobot sends, so each class
 * is chosen for what it makes Crate DO, and a wrong guess must stay cheap: an unrecognised text is
 * interim (wait for its edit), never a retry loop and never a job-wide stop.
 *
 * | class       | example texts (ru / en)                                                | reaction                                           |
 * |-------------|------------------------------------------------------------------------|----------------------------------------------------|
 * | gate        | "Для работы с ботом нужна подписка на наш канал", "Подпишитесь на       | pause the job ("gate"): the owner must act in      |
 * |             | @channel", "Please subscribe to our channel", "Нажмите /start",        | Telegram; text and buttons shown as links          |
 * |             | a text with only t.me link buttons                                     |                                                    |
 * | restricted  | "Вы заблокированы за спам", "You have been banned", "Ваш аккаунт        | pause the job (account-wide)                       |
 * |             | ограничен"                                                             |                                                    |
 * | unavailable | "Трек ограничен правообладателем", "Not available in your region",     | not found for THIS track only                      |
 * |             | "Недоступно в вашей стране", "removed by the copyright holder"         |                                                    |
 * | throttle    | "Подождите 10 секунд…", "Please wait 10 seconds", "Слишком часто!",    | wait the seconds (+ margin) and ask again; no      |
 * |             | "Too many requests, slow down", "Попробуйте через минуту", "попробуйте  | number: back off (30 s, 60 s, 120 s)               |
 * |             | позже"                                                                 |                                                    |
 * | quota       | "Вы исчерпали дневной лимит", "Daily limit reached, come back tomorrow" | pause the job ("quota")                            |
 * | promo       | "Оформите Premium", a lone "😎 Подключить Premium со скидкой" button    | pause only when it replaces a result (see strategy) |
 * | not_found   | a photo (with or without buttons), "Ничего не найдено", "No results"   | not found                                          |
 * | wait        | "Подождите, трек скоро скачается", "Скачиваю: 45%", "Downloading…"     | the file is coming: wait for it (file timeout)     |
 * | interim     | "🔍 Ищу трек…", "Searching…", "⏳ Обрабатываю запрос", "Один момент"    | the answer is coming: wait for its edit or the next |
 * |             |                                                                        | message (reply timeout)                            |
 * | unknown     | anything else                                                          | treated like interim; the same unknown text for    |
 * |             |                                                                        | N tracks in a row pauses the job ("unknown_reply") |
 *
 * Order matters: a gate or a ban outranks everything; a per-track notice outranks the ban words it
 * shares ("ограничен"); a number of seconds makes "подождите" a throttle, without it a file wait.
 */

export type TextClass =
  | { kind: 'gate' }
  | { kind: 'restricted' }
  | { kind: 'unavailable' }
  | { kind: 'throttle'; seconds: number | null }
  | { kind: 'quota' }
  | { kind: 'promo' }
  | { kind: 'not_found' }
  | { kind: 'wait' }
  | { kind: 'interim' };

export interface TextFacts {
  /** Some button opens a t.me link (a channel to join). */
  telegramLink?: boolean;
  /** This is the answer to our /start: "press start" is no gate then. */
  answeringStart?: boolean;
}

/** Every reading of bot text is bounded: Telegram caps text at 4096 characters, we at twice that. */
export const MAX_TEXT_CHARS = 8192;

const L = '\\p{L}';
const word = (body: string) => new RegExp(`(?<!${L})(?:${body})(?!${L})`, 'iu');

const PREMIUM = /premium|премиум/i;
const SUBSCRIBE = word(`подпиш${L}*|подписк${L}*|подписат${L}*|subscri${L}*|вступи${L}*|присоедин${L}*|join`);
const WHERE = word(`канал${L}*|channel${L}*|чат${L}*|chat|групп${L}*|group${L}*`);
const MENTION = /(?:^|\s)@[A-Za-z][\w]{3,}|t\.me\//i;
const PRESS_START = /(?:нажмите|нажми|отправьте|отправь|press|tap|click|send|перезапустите|restart)\s+(?:на\s+)?(?:кнопку\s+)?(?:\/start|«?start»?|«?старт»?|бота|the bot)(?!\p{L})/iu;

const ACCOUNT_BAN =
  /(?:вы|ваш\p{L}*|you|your)\s+(?:\p{L}+\s+){0,3}?(?:заблокир\p{L}*|забанен\p{L}*|блокир\p{L}*|ограничен\p{L}*|banned|blocked|restricted|suspended)|(?<!\p{L})(?:бан|ban|спам\p{L}*|spam)(?!\p{L})|(?<!\p{L})(?:banned|заблокирован\p{L}*)(?!\p{L})/iu;
const UNAVAILABLE = word(
  `правообладател${L}*|copyright${L}*|недоступ${L}*|unavailable|not available|isn't available|is not available|в вашем регионе|в вашей стране|in your (?:region|country)|region${L}*|регион${L}*|removed`,
);

const THROTTLE_WORDS = word(
  `слишком част${L}*|слишком быстро|не так быстро|too (?:fast|often|frequent${L}*|quickly)|slow down|флуд${L}*|flood${L}*|антиспам|anti-?spam|rate.?limit${L}*|too many requests|слишком много запросов|попробуйте позже|try (?:again )?later|перегружен${L}*|overloaded|busy`,
);
const WAIT_VERB = word(`подождите|подожди|ожидайте|wait|retry|try again|попробуйте|повторите|через|in`);
const SECONDS = /(\d{1,5})\s*(секунд\p{L}*|сек\.?|с\.?|seconds?|secs?|s|минут\p{L}*|мин\.?|minutes?|mins?|m)(?!\p{L})/iu;
const A_MINUTE = word(`минуту|a minute|one minute`);
const PROGRESS = /\d{1,3}(?:[.,]\d+)?\s*%|(?<!\p{L})(?:скачива\p{L}*|скачиваю|загружа\p{L}*|загрузка|отправля\p{L}*|downloading|uploading|sending|осталось|eta|remaining)(?!\p{L})/iu;

const DAILY = word(`сегодня|завтра|сутк${L}*|дн(?:я|ей|ев)|дневн${L}*|today|tomorrow|daily|per day|a day|24 ?h`);
const QUOTA =
  word(`лимит${L}*|limit(?:s|ed)?|quota|исчерпан${L}*|исчерпал${L}*|превышен${L}*|exceeded|попробуйте завтра|try again tomorrow`);

const NOT_FOUND = /ничего не найдено|не найден|нет результатов|не дал\p{L}* результат|not found|no results|nothing found|couldn't find|could not find/iu;
const FILE_WAIT = /подождите|скоро скачается|please wait|загружается|скачивается/i;
const INTERIM = word(
  `ищу|ищем|поиск${L}*|searching|looking|search${L}*|обрабатыва${L}*|обработк${L}*|processing|минутку|секунду|секундочку|один момент|one moment|just a moment|hold on|loading`,
);
const INTERIM_MARK = /[⏳⌛🔍🔎]|\.\.\.$|…$/u;

/**
 * Classifies a reply's words (echo of our own query already removed). Null: nothing known —
 * the caller treats it as an unknown (interim) reply.
 */
export function classifyText(raw: string, facts: TextFacts = {}): TextClass | null {
  const text = raw.slice(0, MAX_TEXT_CHARS).trim();
  if (text === '') return null;
  const premium = PREMIUM.test(text);
  if (!premium && SUBSCRIBE.test(text) && (WHERE.test(text) || MENTION.test(text) || facts.telegramLink)) return { kind: 'gate' };
  if (!facts.answeringStart && PRESS_START.test(text)) return { kind: 'gate' };
  if (UNAVAILABLE.test(text) && !/(?:вы|ваш\p{L}*|you|your)\s+(?:\p{L}+\s+){0,2}?(?:аккаунт|account)/iu.test(text)) return { kind: 'unavailable' };
  if (ACCOUNT_BAN.test(text)) return { kind: 'restricted' };
  const throttle = throttleOf(text);
  if (throttle) return throttle;
  if (QUOTA.test(text)) return { kind: 'quota' };
  if (premium) return { kind: 'promo' };
  if (NOT_FOUND.test(text)) return { kind: 'not_found' };
  if (FILE_WAIT.test(text) || PROGRESS.test(text)) return { kind: 'wait' };
  if (INTERIM.test(text) || INTERIM_MARK.test(text)) return { kind: 'interim' };
  return null;
}

/** A toast (callback answer) is read with the same table; only the classes that change a step matter. */
export function classifyToast(raw: string | null): TextClass | null {
  if (!raw) return null;
  return classifyText(raw.slice(0, 1024));
}

function throttleOf(text: string): { kind: 'throttle'; seconds: number | null } | null {
  // "Too many requests today" / "limit … tomorrow" is a quota, not a throttle.
  if (DAILY.test(text)) return null;
  const progress = PROGRESS.test(text) && !THROTTLE_WORDS.test(text);
  const n = SECONDS.exec(text);
  if (n && !progress && (WAIT_VERB.test(text) || THROTTLE_WORDS.test(text))) {
    const value = Number(n[1]);
    const unit = n[2]!.toLowerCase();
    const minutes = /^(минут|мин|minute|min|m$)/u.test(unit);
    const seconds = minutes ? value * 60 : value;
    // Hours of waiting are no throttle: that is a quota in other words.
    if (seconds > 0 && seconds <= 3600) return { kind: 'throttle', seconds };
  }
  if (THROTTLE_WORDS.test(text)) return { kind: 'throttle', seconds: A_MINUTE.test(text) ? 60 : null };
  return null;
}
