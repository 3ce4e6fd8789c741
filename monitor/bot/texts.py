"""Everything the bot says, in English, Russian and Ukrainian: one catalogue per language, the same
keys in each (a test checks). Texts are Telegram HTML; `say` escapes every value put into them. A text
with a count is one entry with a form for each CLDR plural category its language has; `say` picks the
form by the value named `count`."""

from __future__ import annotations

import html

from monitor.core.plurals import plural_category

LANGUAGES = ("en", "ru", "uk")
DEFAULT_LANGUAGE = "en"


class Html(str):
    """A value that is markup already (built from escaped parts): `say` puts it in as it is."""


def language_of(code: str | None) -> str:
    """The catalogue for a Telegram language code ("ru", "uk", "en-GB", …); English for the rest."""
    base = (code or "").split("-")[0].split("_")[0].lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


def say(language: str, key: str, **values: object) -> str:
    """The text `key` in `language`, with values escaped for Telegram HTML; a counted text in the form
    its `count` value asks for."""
    language = language if language in CATALOGUES else DEFAULT_LANGUAGE
    entry = CATALOGUES[language][key]
    text = entry if isinstance(entry, str) else entry[plural_category(language, int(str(values["count"])))]
    safe = {k: v if isinstance(v, Html) else html.escape(str(v), quote=False) for k, v in values.items()}
    return text.format(**safe)


def counted(language: str, key: str, count: int) -> Html:
    """A count with its noun (`n_sources`: "1 source", "5 источников"), to be put into another text."""
    return Html(say(language, key, count=count))


# The bot's commands, in the order /help and Telegram's menu show them; `admin` ones are listed only
# where sources are not open to everyone.
COMMANDS = (
    ("start", False), ("watch", False), ("watches", False), ("unwatch", False), ("sources", False),
    ("digest", False), ("time", False), ("tz", False), ("settings", False), ("add", True), ("remove", True),
    ("status", True), ("lang", False), ("previews", False), ("stop", False), ("forget", False), ("help", False),
)

# The commands that change a chat's subscription or settings (their handlers are `changes_chat`): in a group
# only its administrators and the bot's admins may use them. /settings shows to everyone; its buttons change.
CHANGES_CHAT = frozenset({"start", "watch", "unwatch", "time", "tz", "lang", "previews", "stop", "forget"})

_EXAMPLE = "<code>/watch Prigozhin OR Пригожин</code>"

EN = {
    "cmd_start": "Subscribe this chat",
    "cmd_watch": "Watch a topic: /watch Prigozhin Rostov",
    "cmd_watches": "List this chat's watches",
    "cmd_unwatch": "Remove a watch: /unwatch ID",
    "cmd_sources": "List the news sources",
    "cmd_add": "Add a feed or channel (admins): /add URL or @channel",
    "cmd_remove": "Remove a source (admins): /remove ID",
    "cmd_status": "How monitor is doing (admins)",
    "cmd_lang": "Language: /lang en, ru or uk",
    "cmd_previews": "Link previews in messages: /previews on or off",
    "cmd_stop": "Pause everything for this chat",
    "cmd_forget": "Delete all of this chat's data",
    "cmd_help": "What the bot does and how",
    "about": "I watch {sources} (feeds and Telegram channels) and group reports about the same "
             "event into one story. Set a keyword watch and you get <b>one</b> alert per event, updated as "
             "more sources report it.",
    "start_new": "Subscribed. {about}\n\nTry: " + _EXAMPLE + "\n/help lists every command.",
    "start_resumed": "Welcome back: alerts for this chat are on again. /watches lists your watches.",
    "help": "{about}\n\n<b>Commands</b>\n{commands}\n\n{syntax}",
    "syntax": "<b>Watches</b>: words match any form and either script (<code>prigozhin</code> finds "
              "Пригожина). <code>\"exact phrase\"</code>, <code>a b</code> both, <code>a OR b</code> either, "
              "<code>-word</code> or <code>NOT word</code> without, <code>(a OR b) c</code> groups, "
              "<code>kharkiv*</code> words starting so.",
    "stop": "Paused: no alerts for this chat until /start. Your watches are kept; /forget deletes them.",
    "stop_idle": "This chat is not subscribed; /start subscribes it.",
    "forget_ask": {
        "one": "Delete everything kept about this chat (subscription, {count} watch, alerts sent)? "
               "This cannot be undone.",
        "other": "Delete everything kept about this chat (subscription, {count} watches, alerts sent)? "
                 "This cannot be undone.",
    },
    "forget_yes": "Delete",
    "forget_no": "Keep",
    "forget_done": "Deleted: nothing about this chat is kept now. /start subscribes it again.",
    "forget_kept": "Nothing was deleted.",
    "forget_not_yours": "Only the person who asked can answer this.",
    "watch_usage": "Write what to watch after the command, e.g. " + _EXAMPLE + "\n\n{syntax}",
    "watch_added": "Watch #{id} added: <b>{understood}</b>\nYou get one alert per story that matches. "
                   "/watches lists yours.",
    "watch_limit": "This chat has {watches}, the most allowed. Remove one with /unwatch ID first.",
    "watch_duplicate": "This chat watches that already (#{id}).",
    "watches_none": "No watches yet. Add one: " + _EXAMPLE,
    "watches_list": "<b>Watches</b>\n{lines}\n\n/unwatch ID removes one.",
    "unwatch_usage": "Write the watch's number: <code>/unwatch 3</code> (/watches lists them).",
    "unwatch_done": "Watch #{id} removed: {query}",
    "unwatch_missing": "This chat has no watch #{id}; /watches lists them.",
    "query_bad": "Cannot use this watch: {problem}\nA watch that works: " + _EXAMPLE,
    "query_empty": "there is no word to look for.",
    "query_quote": "a quote is not closed ({detail}).",
    "query_open_paren": "a “(” is not closed.",
    "query_close_paren": "a “)” has no “(” before it.",
    "query_only_not": "it only says what to leave out; every part needs a word to look for.",
    "query_dangling": "{detail} needs a word on each side.",
    "query_too_long": "it is longer than {detail} characters.",
    "query_short_prefix": "{detail}: a word ending in * needs at least 3 letters.",
    "query_prefix_word": "{detail}: * can only end a single word.",
    "query_too_many_words": "it has more than {detail} words.",
    "sources_list": "<b>{sources}</b>\n{lines}",
    "sources_none": "No sources yet.",
    "source_ok": "ok",
    "source_new": "not polled yet",
    "source_error": "failing ({count}×): {error}",
    "admin_only": "Sorry, only the bot's admins can do that.",
    "group_admins_only": "Only this group's admins can change its subscription and settings.",
    "add_usage": "Write a feed address or a public channel: <code>/add https://example.org/rss.xml</code> "
                 "or <code>/add @channel</code>",
    "add_done": "Added source #{id}: {name} ({reports} so far).",
    "add_failed": "Not added: {error}",
    "add_exists": "That source is there already (#{id}).",
    "remove_usage": "Write the source's number: <code>/remove 3</code> (/sources lists them).",
    "remove_done": {
        "one": "Removed source #{id}: {name}, with its {count} report.",
        "other": "Removed source #{id}: {name}, with its {count} reports.",
    },
    "remove_missing": "There is no source #{id}; /sources lists them.",
    "remove_config": "Source #{id} ({name}) comes from the config file; it can only be removed there.",
    "status": "<b>Status</b>\n{sources} ({failing} failing)\nIn the last 24 h: {items}, {stories}\n"
              "{subscribers}, {watches}\nWaiting to be sent: {queue}; failed in the last 24 h: {failed}",
    "unknown_command": "I don't know {command}. /help lists what I can do.",
    "plain_text": "To be alerted about a topic, write /watch and its words, e.g. <code>/watch {text}</code>\n"
                  "/help lists every command.",
    "lang_usage": "Choose a language: /lang en, /lang ru or /lang uk.",
    "lang_set": "I write in English now.",
    "previews_usage": "Write /previews on or /previews off.",
    "previews_on": "Link previews are on for this chat.",
    "previews_off": "Link previews are off for this chat.",
    "error": "Something went wrong on my side; please try again later.",
    "cmd_time": "Daily digest time: /time 08:00, or /time off",
    "cmd_tz": "Time zone: /tz Europe/Kyiv or /tz +03:00",
    "cmd_settings": "This chat's settings, with buttons",
    "cmd_digest": "Send today's digest now",
    "digest_header": {
        "one": "📰 <b>Digest, {date}</b>\n{shown} of {count} story of the last 24 hours, most widely reported first.",
        "other": "📰 <b>Digest, {date}</b>\n{shown} of {count} stories of the last 24 hours, most widely reported "
                 "first.",
    },
    "digest_footer": "Change: /time HH:MM · /tz ZONE · /watch WORDS · /settings",
    "digest_quiet": "📰 {date}: nothing new from the sources in the last 24 hours.",
    "time_usage": "Write the digest time as HH:MM, e.g. <code>/time 08:00</code>, or <code>/time off</code>.",
    "time_set": "Daily digest at {time} ({zone}); the next one comes {next}.",
    "time_off": "Daily digests are off for this chat. <code>/time 08:00</code> turns them on again.",
    "tz_usage": "Write a time zone: <code>/tz Europe/Kyiv</code>, <code>/tz New York</code> or <code>/tz "
                "+03:00</code>.",
    "tz_set": "Time zone: {zone} (it is {now} there now).",
    "tz_unknown": "I don't know the time zone “{text}”. {suggestions}Write an IANA name like Europe/Kyiv, a city, or "
                  "an offset like +03:00.",
    "tz_suggest": "Did you mean {names}? ",
    "settings": "<b>Settings</b>\nDaily digest: {time}\nTime zone: {zone}\n"
                "Language: {chat_language}\nLink previews: "
                "{previews}\nWatches: {watches}\n\nChoose below, or write /time HH:MM, /tz ZONE, /lang, /previews.",
    "off": "off",
    "on": "on",
    "alert_sources": "{sources} so far",
    "alert_more": "and {count} more",
    "alert_watch": "Watch: {query}",
    "alert_open": "Open",
    "n_sources": {"one": "{count} source", "other": "{count} sources"},
    "n_news_sources": {"one": "{count} news source", "other": "{count} news sources"},
    "n_reports": {"one": "{count} report", "other": "{count} reports"},
    "n_new_stories": {"one": "{count} new story", "other": "{count} new stories"},
    "n_subscribers": {"one": "{count} subscriber", "other": "{count} subscribers"},
    "n_watches": {"one": "{count} watch", "other": "{count} watches"},
    "n_messages": {"one": "{count} message", "other": "{count} messages"},
}

RU = {
    "cmd_start": "Подписать этот чат",
    "cmd_watch": "Следить за темой: /watch Пригожин Ростов",
    "cmd_watches": "Список отслеживаемых тем",
    "cmd_unwatch": "Удалить тему: /unwatch ID",
    "cmd_sources": "Список источников",
    "cmd_add": "Добавить ленту или канал (админы): /add URL или @канал",
    "cmd_remove": "Удалить источник (админы): /remove ID",
    "cmd_status": "Состояние monitor (админы)",
    "cmd_lang": "Язык: /lang en, ru или uk",
    "cmd_previews": "Превью ссылок в сообщениях: /previews on или off",
    "cmd_stop": "Приостановить всё для этого чата",
    "cmd_forget": "Удалить все данные этого чата",
    "cmd_help": "Что умеет бот",
    "about": "Я читаю {sources} (ленты и Telegram-каналы) и собираю сообщения об одном "
             "событии в один сюжет. Задайте тему, и вы получите <b>одно</b> оповещение о каждом событии; "
             "оно обновляется, когда о нём пишут новые источники.",
    "start_new": "Подписка оформлена. {about}\n\nПопробуйте: " + _EXAMPLE + "\n/help — все команды.",
    "start_resumed": "С возвращением: оповещения для этого чата снова включены. /watches — ваши темы.",
    "help": "{about}\n\n<b>Команды</b>\n{commands}\n\n{syntax}",
    "syntax": "<b>Темы</b>: слова находятся в любой форме и любой азбукой (<code>prigozhin</code> находит "
              "«Пригожина»). <code>\"точная фраза\"</code>, <code>a b</code> — оба слова, <code>a OR b</code> "
              "или <code>a ИЛИ b</code> — любое, <code>-слово</code> или <code>NOT слово</code> — без него, "
              "<code>(a OR b) c</code> — группы, <code>харьков*</code> — слова, начинающиеся так.",
    "stop": "Пауза: оповещений для этого чата не будет до /start. Темы сохранены; /forget удалит их.",
    "stop_idle": "Этот чат не подписан; /start подписывает его.",
    "forget_ask": {
        "one": "Удалить всё, что хранится об этом чате (подписку, {count} тему, отправленные оповещения)? "
               "Отменить это нельзя.",
        "few": "Удалить всё, что хранится об этом чате (подписку, {count} темы, отправленные оповещения)? "
               "Отменить это нельзя.",
        "many": "Удалить всё, что хранится об этом чате (подписку, {count} тем, отправленные оповещения)? "
                "Отменить это нельзя.",
    },
    "forget_yes": "Удалить",
    "forget_no": "Оставить",
    "forget_done": "Удалено: об этом чате больше ничего не хранится. /start подпишет его снова.",
    "forget_kept": "Ничего не удалено.",
    "forget_not_yours": "Ответить может только тот, кто спросил.",
    "watch_usage": "Напишите после команды, за чем следить, например: " + _EXAMPLE + "\n\n{syntax}",
    "watch_added": "Тема #{id} добавлена: <b>{understood}</b>\nОдно оповещение на каждый подходящий сюжет. "
                   "/watches — ваши темы.",
    "watch_limit": "В этом чате уже {watches} — это максимум. Сначала удалите одну: /unwatch ID.",
    "watch_duplicate": "Этот чат уже следит за этим (#{id}).",
    "watches_none": "Тем пока нет. Добавьте: " + _EXAMPLE,
    "watches_list": "<b>Темы</b>\n{lines}\n\n/unwatch ID удаляет тему.",
    "unwatch_usage": "Напишите номер темы: <code>/unwatch 3</code> (список — /watches).",
    "unwatch_done": "Тема #{id} удалена: {query}",
    "unwatch_missing": "В этом чате нет темы #{id}; список — /watches.",
    "query_bad": "Такую тему задать нельзя: {problem}\nРаботающий пример: " + _EXAMPLE,
    "query_empty": "в ней нет слова для поиска.",
    "query_quote": "кавычка не закрыта ({detail}).",
    "query_open_paren": "скобка «(» не закрыта.",
    "query_close_paren": "перед скобкой «)» нет «(».",
    "query_only_not": "в ней только исключения; каждой части нужно слово для поиска.",
    "query_dangling": "{detail} требует слов с обеих сторон.",
    "query_too_long": "она длиннее {detail} символов.",
    "query_short_prefix": "{detail}: перед * нужно хотя бы 3 буквы.",
    "query_prefix_word": "{detail}: * ставится только в конце одного слова.",
    "query_too_many_words": "в ней больше {detail} слов.",
    "sources_list": "<b>{sources}</b>\n{lines}",
    "sources_none": "Источников пока нет.",
    "source_ok": "работает",
    "source_new": "ещё не опрошен",
    "source_error": "ошибки ({count}×): {error}",
    "admin_only": "Извините, это могут только администраторы бота.",
    "group_admins_only": "Только администраторы этой группы могут менять её подписку и настройки.",
    "add_usage": "Напишите адрес ленты или публичный канал: <code>/add https://example.org/rss.xml</code> "
                 "или <code>/add @channel</code>",
    "add_done": "Источник #{id} добавлен: {name} (пока {reports}).",
    "add_failed": "Не добавлено: {error}",
    "add_exists": "Этот источник уже есть (#{id}).",
    "remove_usage": "Напишите номер источника: <code>/remove 3</code> (список — /sources).",
    "remove_done": {
        "one": "Источник #{id} удалён: {name}, вместе с его {count} сообщением.",
        "few": "Источник #{id} удалён: {name}, вместе с его {count} сообщениями.",
        "many": "Источник #{id} удалён: {name}, вместе с его {count} сообщениями.",
    },
    "remove_missing": "Источника #{id} нет; список — /sources.",
    "remove_config": "Источник #{id} ({name}) задан в файле настроек; удалить его можно только там.",
    "status": "<b>Состояние</b>\n{sources} (с ошибками: {failing})\nЗа 24 ч: {items}, {stories}\n"
              "{subscribers}, {watches}\nВ очереди: {queue}; не доставлено за 24 ч: {failed}",
    "unknown_command": "Я не знаю команды {command}. /help — что я умею.",
    "plain_text": "Чтобы получать оповещения по теме, напишите /watch и слова, например: "
                  "<code>/watch {text}</code>\n/help — все команды.",
    "lang_usage": "Выберите язык: /lang en, /lang ru или /lang uk.",
    "lang_set": "Теперь я пишу по-русски.",
    "previews_usage": "Напишите /previews on или /previews off.",
    "previews_on": "Превью ссылок в этом чате включены.",
    "previews_off": "Превью ссылок в этом чате выключены.",
    "error": "У меня что-то сломалось; попробуйте позже.",
    "cmd_time": "Время ежедневной сводки: /time 08:00 или /time off",
    "cmd_tz": "Часовой пояс: /tz Europe/Moscow или /tz +03:00",
    "cmd_settings": "Настройки этого чата, с кнопками",
    "cmd_digest": "Прислать сводку сейчас",
    "digest_header": {
        "one": "📰 <b>Сводка, {date}</b>\n{shown} из {count} сюжета за 24 часа, сначала самые освещаемые.",
        "few": "📰 <b>Сводка, {date}</b>\n{shown} из {count} сюжетов за 24 часа, сначала самые освещаемые.",
        "many": "📰 <b>Сводка, {date}</b>\n{shown} из {count} сюжетов за 24 часа, сначала самые освещаемые.",
    },
    "digest_footer": "Изменить: /time ЧЧ:ММ · /tz ПОЯС · /watch СЛОВА · /settings",
    "digest_quiet": "📰 {date}: за 24 часа в источниках ничего нового.",
    "time_usage": "Напишите время сводки как ЧЧ:ММ, например <code>/time 08:00</code>, или <code>/time off</code>.",
    "time_set": "Ежедневная сводка в {time} ({zone}); следующая — {next}.",
    "time_off": "Ежедневные сводки для этого чата выключены. <code>/time 08:00</code> включит их снова.",
    "tz_usage": "Напишите часовой пояс: <code>/tz Europe/Moscow</code>, <code>/tz Москва</code> или <code>/tz "
                "+03:00</code>.",
    "tz_set": "Часовой пояс: {zone} (там сейчас {now}).",
    "tz_unknown": "Я не знаю часового пояса «{text}». {suggestions}Напишите имя IANA вроде Europe/Kyiv, город или "
                  "смещение вроде +03:00.",
    "tz_suggest": "Может быть, {names}? ",
    "settings": "<b>Настройки</b>\nЕжедневная сводка: {time}\nЧасовой пояс: {zone}\n"
                "Язык: {chat_language}\nПревью ссылок: "
                "{previews}\nТемы: {watches}\n\nВыберите ниже или напишите /time ЧЧ:ММ, /tz ПОЯС, /lang, /previews.",
    "off": "выкл.",
    "on": "вкл.",
    "alert_sources": "Пока {sources}",
    "alert_more": "и ещё {count}",
    "alert_watch": "Тема: {query}",
    "alert_open": "Читать",
    "n_sources": {"one": "{count} источник", "few": "{count} источника", "many": "{count} источников"},
    "n_news_sources": {"one": "{count} источник новостей", "few": "{count} источника новостей",
                       "many": "{count} источников новостей"},
    "n_reports": {"one": "{count} сообщение", "few": "{count} сообщения", "many": "{count} сообщений"},
    "n_new_stories": {"one": "{count} новый сюжет", "few": "{count} новых сюжета", "many": "{count} новых сюжетов"},
    "n_subscribers": {"one": "{count} подписчик", "few": "{count} подписчика", "many": "{count} подписчиков"},
    "n_watches": {"one": "{count} тема", "few": "{count} темы", "many": "{count} тем"},
    "n_messages": {"one": "{count} сообщение", "few": "{count} сообщения", "many": "{count} сообщений"},
}

UK = {
    "cmd_start": "Підписати цей чат",
    "cmd_watch": "Стежити за темою: /watch Пригожин Ростов",
    "cmd_watches": "Список тем, за якими стежить чат",
    "cmd_unwatch": "Видалити тему: /unwatch ID",
    "cmd_sources": "Список джерел",
    "cmd_add": "Додати стрічку чи канал (адміни): /add URL або @канал",
    "cmd_remove": "Видалити джерело (адміни): /remove ID",
    "cmd_status": "Стан monitor (адміни)",
    "cmd_lang": "Мова: /lang en, ru або uk",
    "cmd_previews": "Прев'ю посилань у повідомленнях: /previews on або off",
    "cmd_stop": "Призупинити все для цього чату",
    "cmd_forget": "Видалити всі дані цього чату",
    "cmd_help": "Що вміє бот",
    "about": "Я читаю {sources} (стрічки й Telegram-канали) і збираю повідомлення про одну "
             "подію в один сюжет. Задайте тему, і ви отримаєте <b>одне</b> сповіщення про кожну подію; "
             "воно оновлюється, коли про неї пишуть нові джерела.",
    "start_new": "Підписку оформлено. {about}\n\nСпробуйте: " + _EXAMPLE + "\n/help — усі команди.",
    "start_resumed": "З поверненням: сповіщення для цього чату знову увімкнено. /watches — ваші теми.",
    "help": "{about}\n\n<b>Команди</b>\n{commands}\n\n{syntax}",
    "syntax": "<b>Теми</b>: слова знаходяться в будь-якій формі та будь-якою абеткою (<code>prigozhin</code> "
              "знаходить «Пригожина»). <code>\"точна фраза\"</code>, <code>a b</code> — обидва слова, "
              "<code>a OR b</code> або <code>a АБО b</code> — будь-яке, <code>-слово</code> або "
              "<code>NOT слово</code> — без нього, <code>(a OR b) c</code> — групи, <code>харків*</code> — "
              "слова, що так починаються.",
    "stop": "Пауза: сповіщень для цього чату не буде до /start. Теми збережено; /forget видалить їх.",
    "stop_idle": "Цей чат не підписаний; /start підписує його.",
    "forget_ask": {
        "one": "Видалити все, що зберігається про цей чат (підписку, {count} тему, надіслані сповіщення)? "
               "Скасувати це не можна.",
        "few": "Видалити все, що зберігається про цей чат (підписку, {count} теми, надіслані сповіщення)? "
               "Скасувати це не можна.",
        "many": "Видалити все, що зберігається про цей чат (підписку, {count} тем, надіслані сповіщення)? "
                "Скасувати це не можна.",
    },
    "forget_yes": "Видалити",
    "forget_no": "Залишити",
    "forget_done": "Видалено: про цей чат більше нічого не зберігається. /start підпише його знову.",
    "forget_kept": "Нічого не видалено.",
    "forget_not_yours": "Відповісти може лише той, хто запитав.",
    "watch_usage": "Напишіть після команди, за чим стежити, наприклад: " + _EXAMPLE + "\n\n{syntax}",
    "watch_added": "Тему #{id} додано: <b>{understood}</b>\nОдне сповіщення на кожен відповідний сюжет. "
                   "/watches — ваші теми.",
    "watch_limit": "У цьому чаті вже {watches} — це максимум. Спершу видаліть одну: /unwatch ID.",
    "watch_duplicate": "Цей чат уже стежить за цим (#{id}).",
    "watches_none": "Тем поки немає. Додайте: " + _EXAMPLE,
    "watches_list": "<b>Теми</b>\n{lines}\n\n/unwatch ID видаляє тему.",
    "unwatch_usage": "Напишіть номер теми: <code>/unwatch 3</code> (список — /watches).",
    "unwatch_done": "Тему #{id} видалено: {query}",
    "unwatch_missing": "У цьому чаті немає теми #{id}; список — /watches.",
    "query_bad": "Таку тему задати не можна: {problem}\nПриклад, що працює: " + _EXAMPLE,
    "query_empty": "у ній немає слова для пошуку.",
    "query_quote": "лапки не закрито ({detail}).",
    "query_open_paren": "дужку «(» не закрито.",
    "query_close_paren": "перед дужкою «)» немає «(».",
    "query_only_not": "у ній лише винятки; кожній частині потрібне слово для пошуку.",
    "query_dangling": "{detail} потребує слів з обох боків.",
    "query_too_long": "вона довша за {detail} символів.",
    "query_short_prefix": "{detail}: перед * потрібно щонайменше 3 літери.",
    "query_prefix_word": "{detail}: * ставиться лише в кінці одного слова.",
    "query_too_many_words": "у ній понад {detail} слів.",
    "sources_list": "<b>{sources}</b>\n{lines}",
    "sources_none": "Джерел поки немає.",
    "source_ok": "працює",
    "source_new": "ще не опитано",
    "source_error": "помилки ({count}×): {error}",
    "admin_only": "Вибачте, це можуть лише адміністратори бота.",
    "group_admins_only": "Лише адміністратори цієї групи можуть змінювати її підписку й налаштування.",
    "add_usage": "Напишіть адресу стрічки або публічний канал: <code>/add https://example.org/rss.xml</code> "
                 "або <code>/add @channel</code>",
    "add_done": "Джерело #{id} додано: {name} (поки {reports}).",
    "add_failed": "Не додано: {error}",
    "add_exists": "Це джерело вже є (#{id}).",
    "remove_usage": "Напишіть номер джерела: <code>/remove 3</code> (список — /sources).",
    "remove_done": {
        "one": "Джерело #{id} видалено: {name}, разом із його {count} повідомленням.",
        "few": "Джерело #{id} видалено: {name}, разом із його {count} повідомленнями.",
        "many": "Джерело #{id} видалено: {name}, разом із його {count} повідомленнями.",
    },
    "remove_missing": "Джерела #{id} немає; список — /sources.",
    "remove_config": "Джерело #{id} ({name}) задане у файлі налаштувань; видалити його можна лише там.",
    "status": "<b>Стан</b>\n{sources} (з помилками: {failing})\nЗа 24 год: {items}, {stories}\n"
              "{subscribers}, {watches}\nУ черзі: {queue}; не доставлено за 24 год: {failed}",
    "unknown_command": "Я не знаю команди {command}. /help — що я вмію.",
    "plain_text": "Щоб отримувати сповіщення за темою, напишіть /watch і слова, наприклад: "
                  "<code>/watch {text}</code>\n/help — усі команди.",
    "lang_usage": "Оберіть мову: /lang en, /lang ru або /lang uk.",
    "lang_set": "Тепер я пишу українською.",
    "previews_usage": "Напишіть /previews on або /previews off.",
    "previews_on": "Прев'ю посилань у цьому чаті увімкнено.",
    "previews_off": "Прев'ю посилань у цьому чаті вимкнено.",
    "error": "У мене щось зламалося; спробуйте пізніше.",
    "cmd_time": "Час щоденного зведення: /time 08:00 або /time off",
    "cmd_tz": "Часовий пояс: /tz Europe/Kyiv або /tz +03:00",
    "cmd_settings": "Налаштування цього чату, з кнопками",
    "cmd_digest": "Надіслати зведення зараз",
    "digest_header": {
        "one": "📰 <b>Зведення, {date}</b>\n{shown} з {count} сюжету за 24 години, спершу найширше висвітлені.",
        "few": "📰 <b>Зведення, {date}</b>\n{shown} з {count} сюжетів за 24 години, спершу найширше висвітлені.",
        "many": "📰 <b>Зведення, {date}</b>\n{shown} з {count} сюжетів за 24 години, спершу найширше висвітлені.",
    },
    "digest_footer": "Змінити: /time ГГ:ХХ · /tz ПОЯС · /watch СЛОВА · /settings",
    "digest_quiet": "📰 {date}: за 24 години в джерелах нічого нового.",
    "time_usage": "Напишіть час зведення як ГГ:ХХ, наприклад <code>/time 08:00</code>, або <code>/time off</code>.",
    "time_set": "Щоденне зведення о {time} ({zone}); наступне — {next}.",
    "time_off": "Щоденні зведення для цього чату вимкнено. <code>/time 08:00</code> увімкне їх знову.",
    "tz_usage": "Напишіть часовий пояс: <code>/tz Europe/Kyiv</code>, <code>/tz Київ</code> або <code>/tz "
                "+03:00</code>.",
    "tz_set": "Часовий пояс: {zone} (там зараз {now}).",
    "tz_unknown": "Я не знаю часового поясу «{text}». {suggestions}Напишіть назву IANA на кшталт Europe/Kyiv, місто "
                  "або зсув на кшталт +03:00.",
    "tz_suggest": "Можливо, {names}? ",
    "settings": "<b>Налаштування</b>\nЩоденне зведення: {time}\nЧасовий пояс: {zone}\n"
                "Мова: {chat_language}\nПрев'ю "
                "посилань: {previews}\nТеми: {watches}\n\nОберіть нижче або напишіть /time ГГ:ХХ, /tz ПОЯС, /lang, "
                "/previews.",
    "off": "вимк.",
    "on": "увімк.",
    "alert_sources": "Поки що {sources}",
    "alert_more": "і ще {count}",
    "alert_watch": "Тема: {query}",
    "alert_open": "Читати",
    "n_sources": {"one": "{count} джерело", "few": "{count} джерела", "many": "{count} джерел"},
    "n_news_sources": {"one": "{count} джерело новин", "few": "{count} джерела новин", "many": "{count} джерел новин"},
    "n_reports": {"one": "{count} повідомлення", "few": "{count} повідомлення", "many": "{count} повідомлень"},
    "n_new_stories": {"one": "{count} новий сюжет", "few": "{count} нові сюжети", "many": "{count} нових сюжетів"},
    "n_subscribers": {"one": "{count} підписник", "few": "{count} підписники", "many": "{count} підписників"},
    "n_watches": {"one": "{count} тема", "few": "{count} теми", "many": "{count} тем"},
    "n_messages": {"one": "{count} повідомлення", "few": "{count} повідомлення", "many": "{count} повідомлень"},
}

CATALOGUES = {"en": EN, "ru": RU, "uk": UK}
