#!/usr/bin/env python3
"""Seeded generator of recurring templated posts for monitor's event-clustering sets.

Writes templates-<seed>.jsonl: a 2-3 day stream of templated Telegram posts and RSS
items in uk, en and ru from several channels. Families: air-raid alert start, all-clear,
daily exchange rates per bank, daily weather forecast per city, power-outage schedule
per region and day (plus schedule updates), morning digest posts, football results.

Gold label: one cluster per happening (see README.md for the labelling decisions).
Standard library only; the same seed always gives the same file.

    python3 make_templates.py --seed 1 2 3 [--out DIR]
"""
import argparse
import datetime as dt
import json
import os
import random
from collections import Counter

UTC = dt.timezone.utc

# ---------------------------------------------------------------- time zones

def _last_sunday(year, month):
    d = dt.date(year, month, 31)
    return d - dt.timedelta(days=(d.weekday() - 6) % 7)


def _nth_sunday(year, month, n):
    d = dt.date(year, month, 1)
    d += dt.timedelta(days=(6 - d.weekday()) % 7)
    return d + dt.timedelta(weeks=n - 1)


def kyiv_offset_h(day):
    """Kyiv (EET/EEST) UTC offset on a calendar day, in hours."""
    return 3 if _last_sunday(day.year, 3) <= day < _last_sunday(day.year, 10) else 2


def ny_offset_h(day):
    """New York UTC offset on a calendar day, in hours."""
    return -4 if _nth_sunday(day.year, 3, 2) <= day < _nth_sunday(day.year, 11, 1) else -5


def iso(t_utc, mode):
    """ISO timestamp of a UTC instant as a channel of the given tz habit writes it."""
    if mode == "local":
        off = kyiv_offset_h(t_utc.date())
    elif mode == "ny":
        off = ny_offset_h(t_utc.date())
    else:
        off = 0
    return t_utc.astimezone(dt.timezone(dt.timedelta(hours=off))).isoformat()

# ---------------------------------------------------------------- words

MONTHS = {
    "uk": "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня".split(),
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split(),
    "en": "January February March April May June July August September October November December".split(),
}
WEEKDAYS = {
    "uk": ["понеділок", "вівторок", "середа", "четвер", "пʼятниця", "субота", "неділя"],
    "uk_acc": ["понеділок", "вівторок", "середу", "четвер", "пʼятницю", "суботу", "неділю"],
    "ru": ["понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"],
    "ru_acc": ["понедельник", "вторник", "среду", "четверг", "пятницу", "субботу", "воскресенье"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}


def date_words(lang, d, style=0):
    """A calendar date as a channel of `lang` writes it (several styles)."""
    if lang == "en":
        return [f"{d.day} {MONTHS['en'][d.month - 1]}",
                f"{MONTHS['en'][d.month - 1]} {d.day}",
                f"{WEEKDAYS['en'][d.weekday()][:3]} {d.day} {MONTHS['en'][d.month - 1][:3]}",
                f"{d:%d.%m}"][style % 4]
    return [f"{d.day} {MONTHS[lang][d.month - 1]}", f"{d:%d.%m}", f"{d:%d.%m.%Y}"][style % 3]


def plural(n, forms):
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return forms[0]
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return forms[1]
    return forms[2]


def dur_text(lang, minutes, rng):
    h, m = divmod(minutes, 60)
    if lang == "uk":
        if rng.random() < 0.3:
            return f"{minutes} {plural(minutes, ('хвилину', 'хвилини', 'хвилин'))}"
        return (f"{h} год " if h else "") + (f"{m} хв" if m or not h else "")
    if lang == "ru":
        if rng.random() < 0.3:
            return f"{minutes} {plural(minutes, ('минуту', 'минуты', 'минут'))}"
        return (f"{h} ч " if h else "") + (f"{m} мин" if m or not h else "")
    style = rng.random()
    if style < 0.4:
        return (f"{h}h " if h else "") + (f"{m}m" if m or not h else "")
    if style < 0.7:
        return f"{minutes} minutes"
    hs = f"{h} hour{'s' if h > 1 else ''}" if h else ""
    ms = f"{m} minute{'s' if m != 1 else ''}" if m or not h else ""
    return " ".join(x for x in (hs, ms) if x)


def time_variants(t_local, t_utc):
    h12 = t_local.hour % 12 or 12
    ap = "a.m." if t_local.hour < 12 else "p.m."
    return {
        "hm": f"{t_local:%H:%M}",
        "h_m": f"{t_local.hour}:{t_local:%M}",
        "ampm": f"{h12}:{t_local:%M} {ap}",
        "ampm2": f"{h12}:{t_local:%M}{ap.replace('.', '')}",
        "ampm3": f"{h12}.{t_local:%M}{ap.replace('.', '')}",
        "utc": f"{t_utc:%H:%M} UTC",
        "gmt": f"{t_utc:%H:%M} GMT",
    }


def ordinal(n):
    suf = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suf}"


def low(s):
    return s[:1].lower() + s[1:]


def cap(s):
    return s[:1].upper() + s[1:]


def num(lang, x, nd=2):
    s = f"{x:.{nd}f}"
    return s if lang == "en" else s.replace(".", ",")


def temp(v, minus="-"):
    if v > 0:
        return f"+{v}"
    if v < 0:
        return f"{minus}{-v}"
    return "0"

# ---------------------------------------------------------------- regions

REGIONS = {
    "kyiv-city": dict(ru_tag="Киев", uk=("м. Київ", "у Києві", "Київ", "у Києві"), tag="м_Київ", risk=1,
                      ru=("г. Киев", "в Киеве", "Киев", "в Киеве"),
                      en=["Kyiv", "Kyiv city", "the city of Kyiv", "Kiev"],
                      city=("Київ", "Киев", "Kyiv")),
    "kyiv-oblast": dict(ru_tag="Киевская_область", uk=("Київська область", "у Київській області", "Київщина", "на Київщині"),
                        tag="Київська_область", risk=1,
                        ru=("Киевская область", "в Киевской области", "Киевщина", "на Киевщине"),
                        en=["Kyiv region", "Kyiv Oblast", "Kyivska oblast", "Kiev region"], city=None),
    "kharkiv": dict(ru_tag="Харьковская_область", uk=("Харківська область", "у Харківській області", "Харківщина", "на Харківщині"),
                    tag="Харківська_область", risk=3,
                    ru=("Харьковская область", "в Харьковской области", "Харьковщина", "на Харьковщине"),
                    en=["Kharkiv region", "Kharkiv Oblast", "Kharkivska oblast", "Kharkov region"],
                    city=("Харків", "Харьков", "Kharkiv")),
    "sumy": dict(ru_tag="Сумская_область", uk=("Сумська область", "у Сумській області", "Сумщина", "на Сумщині"),
                 tag="Сумська_область", risk=3,
                 ru=("Сумская область", "в Сумской области", "Сумщина", "на Сумщине"),
                 en=["Sumy region", "Sumy Oblast", "Sumska oblast"], city=("Суми", "Сумы", "Sumy")),
    "chernihiv": dict(ru_tag="Черниговская_область", uk=("Чернігівська область", "у Чернігівській області", "Чернігівщина", "на Чернігівщині"),
                      tag="Чернігівська_область", risk=2,
                      ru=("Черниговская область", "в Черниговской области", "Черниговщина", "на Черниговщине"),
                      en=["Chernihiv region", "Chernihiv Oblast", "Chernigov region"],
                      city=("Чернігів", "Чернигов", "Chernihiv")),
    "poltava": dict(ru_tag="Полтавская_область", uk=("Полтавська область", "у Полтавській області", "Полтавщина", "на Полтавщині"),
                    tag="Полтавська_область", risk=1,
                    ru=("Полтавская область", "в Полтавской области", "Полтавщина", "на Полтавщине"),
                    en=["Poltava region", "Poltava Oblast", "Poltavska oblast"],
                    city=("Полтава", "Полтава", "Poltava")),
    "dnipro": dict(ru_tag="Днепропетровская_область", uk=("Дніпропетровська область", "у Дніпропетровській області", "Дніпропетровщина",
                       "на Дніпропетровщині"), tag="Дніпропетровська_область", risk=3,
                   ru=("Днепропетровская область", "в Днепропетровской области", "Днепропетровщина",
                       "на Днепропетровщине"),
                   en=["Dnipropetrovsk region", "Dnipropetrovsk Oblast", "Dnipro region", "Dnepropetrovsk region"],
                   city=("Дніпро", "Днепр", "Dnipro")),
    "zaporizhzhia": dict(ru_tag="Запорожская_область", uk=("Запорізька область", "у Запорізькій області", "Запоріжжя", "на Запоріжжі"),
                         tag="Запорізька_область", risk=3,
                         ru=("Запорожская область", "в Запорожской области", "Запорожье", "на Запорожье"),
                         en=["Zaporizhzhia region", "Zaporizhzhia Oblast", "Zaporizhia region", "Zaporozhye region"],
                         city=("Запоріжжя", "Запорожье", "Zaporizhzhia")),
    "kherson": dict(ru_tag="Херсонская_область", uk=("Херсонська область", "у Херсонській області", "Херсонщина", "на Херсонщині"),
                    tag="Херсонська_область", risk=3,
                    ru=("Херсонская область", "в Херсонской области", "Херсонщина", "на Херсонщине"),
                    en=["Kherson region", "Kherson Oblast", "Khersonska oblast"],
                    city=("Херсон", "Херсон", "Kherson")),
    "mykolaiv": dict(ru_tag="Николаевская_область", uk=("Миколаївська область", "у Миколаївській області", "Миколаївщина", "на Миколаївщині"),
                     tag="Миколаївська_область", risk=2,
                     ru=("Николаевская область", "в Николаевской области", "Николаевщина", "на Николаевщине"),
                     en=["Mykolaiv region", "Mykolaiv Oblast", "Nikolaev region"],
                     city=("Миколаїв", "Николаев", "Mykolaiv")),
    "odesa": dict(ru_tag="Одесская_область", uk=("Одеська область", "в Одеській області", "Одещина", "на Одещині"),
                  tag="Одеська_область", risk=2,
                  ru=("Одесская область", "в Одесской области", "Одесщина", "на Одесщине"),
                  en=["Odesa region", "Odesa Oblast", "Odessa region", "Odeska oblast"],
                  city=("Одеса", "Одесса", "Odesa")),
    "lviv": dict(ru_tag="Львовская_область", uk=("Львівська область", "у Львівській області", "Львівщина", "на Львівщині"),
                 tag="Львівська_область", risk=0,
                 ru=("Львовская область", "во Львовской области", "Львовщина", "на Львовщине"),
                 en=["Lviv region", "Lviv Oblast", "Lvivska oblast", "Lvov region"],
                 city=("Львів", "Львов", "Lviv")),
}

REASONS = {
    "drones": {"uk": ["Загроза застосування ударних БпЛА", "Загроза шахедів", "Фіксується рух ударних БпЛА"],
               "ru": ["Угроза применения ударных БПЛА", "Угроза шахедов", "Фиксируется движение ударных БПЛА"],
               "en": ["Threat of attack drones", "Shahed drones reported heading toward the region",
                      "Drone threat"]},
    "ballistic": {"uk": ["Загроза застосування балістичного озброєння", "Загроза балістики"],
                  "ru": ["Угроза применения баллистического вооружения", "Угроза баллистики"],
                  "en": ["Ballistic missile threat", "Threat of ballistic missiles"]},
    "aviation": {"uk": ["Активність тактичної авіації", "Загроза застосування КАБ"],
                 "ru": ["Активность тактической авиации", "Угроза применения КАБ"],
                 "en": ["Tactical aviation activity", "Threat of guided aerial bombs"]},
    "missiles": {"uk": ["Загроза крилатих ракет", "Зафіксовано пуски крилатих ракет"],
                 "ru": ["Угроза крылатых ракет", "Зафиксированы пуски крылатых ракет"],
                 "en": ["Cruise missile threat", "Cruise missile launches detected"]},
}

# ---------------------------------------------------------------- channels
# name -> (lang, kind, tz habit).  kind: tg (title = first line) or rss (headline + summary)

CHANNELS = {
    "Тривога | Моніторинг": ("uk", "tg", "utc"),
    "Тривожна кнопка 24": ("uk", "tg", "local"),
    "Air Alert Ukraine EN": ("en", "tg", "utc"),
    "Alerts.UA Feed": ("en", "rss", "utc"),
    "Ukraine Live Desk": ("en", "tg", "ny"),
    "Карта тревог | Украина": ("ru", "tg", "utc"),
    "Срочно | Тревоги 24": ("ru", "tg", "local"),
    "Новини Сьогодні | UA": ("uk", "tg", "utc"),
    "Новости Сейчас": ("ru", "tg", "utc"),
    # regional
    "Харків Оперативно ⚡️": ("uk", "tg", "utc"), "Харьков Сейчас": ("ru", "tg", "local"),
    "Суми Сьогодні": ("uk", "tg", "utc"), "Одеса Online": ("uk", "tg", "utc"),
    "Одесса Live 24": ("ru", "tg", "utc"), "Дніпро Live": ("uk", "tg", "local"),
    "Запоріжжя Зараз": ("uk", "tg", "utc"), "Київ Поруч": ("uk", "tg", "utc"),
    "Kyiv Pulse": ("en", "tg", "utc"), "Київщина Інфо": ("uk", "tg", "utc"),
    "Миколаїв Новини 24": ("uk", "tg", "utc"), "Полтава 365": ("uk", "tg", "utc"),
    "Чернігів ІНФО": ("uk", "tg", "local"), "Херсон Щодня": ("uk", "tg", "utc"),
    "Львів Сьогодні": ("uk", "tg", "utc"), "Lviv Today EN": ("en", "rss", "utc"),
    # money
    "Банк Світанок": ("uk", "tg", "utc"), "Дніпровський Кредит | офіційний": ("uk", "tg", "local"),
    "Гроші та курси 💰": ("uk", "tg", "utc"), "Курсы валют | Украина": ("ru", "tg", "utc"),
    "Hryvnia Watch": ("en", "rss", "utc"), "Ukraine Business Brief": ("en", "tg", "utc"),
    # weather
    "Погода в Україні ☀️": ("uk", "tg", "utc"), "Погода | Украина": ("ru", "tg", "utc"),
    "Ukraine Weather Daily": ("en", "rss", "utc"),
    # power
    "Графіки відключень UA 💡": ("uk", "tg", "utc"), "Світло Є? | Київ": ("uk", "tg", "local"),
    "Свет по графику | Одесса": ("ru", "tg", "utc"), "Energy Watch Ukraine": ("en", "rss", "utc"),
    # digests
    "Ранкова кава ☕️": ("uk", "tg", "utc"), "Утро. Главное": ("ru", "tg", "utc"),
    "Morning Briefing | East Desk": ("en", "rss", "ny"),
    # football
    "Футбол UA ⚽️": ("uk", "tg", "utc"), "УПЛ Live": ("uk", "tg", "local"),
    "Football Ukraine EN": ("en", "tg", "utc"), "Eastern Europe Football Wire": ("en", "rss", "utc"),
    "Футбол Украины | Онлайн": ("ru", "tg", "utc"),
}

REGIONAL = {
    "kharkiv": ["Харків Оперативно ⚡️", "Харьков Сейчас"], "sumy": ["Суми Сьогодні"],
    "odesa": ["Одеса Online", "Одесса Live 24"], "dnipro": ["Дніпро Live"],
    "zaporizhzhia": ["Запоріжжя Зараз"], "kyiv-city": ["Київ Поруч", "Kyiv Pulse"],
    "kyiv-oblast": ["Київщина Інфо"], "mykolaiv": ["Миколаїв Новини 24"], "poltava": ["Полтава 365"],
    "chernihiv": ["Чернігів ІНФО"], "kherson": ["Херсон Щодня"], "lviv": ["Львів Сьогодні", "Lviv Today EN"],
}


class Stream:
    """Collects posts; keeps per-channel habits (template, spelling, time style) stable."""

    def __init__(self, rng, seed):
        self.rng, self.seed, self.items = rng, seed, []
        self.habit = {}

    def pref(self, channel, key, n):
        """A channel's preferred variant index for `key` (used ~75% of the time)."""
        k = (channel, key)
        if k not in self.habit:
            self.habit[k] = self.rng.randrange(n)
        return self.habit[k] if self.rng.random() < 0.75 else self.rng.randrange(n)

    def pick(self, channel, key, options):
        return options[self.pref(channel, key, len(options))]

    def add(self, channel, t_utc, title, text, cluster, family):
        lang, kind, tzmode = CHANNELS[channel]
        text = text.strip()
        if kind == "tg":
            title = text.split("\n", 1)[0].strip()
        self.items.append(dict(_t=t_utc, _family=family, lang=lang, published=iso(t_utc, tzmode),
                               source=channel, title=title, text=text, cluster=f"t{self.seed}:{cluster}"))

    def copy_edit(self, channel, item):
        """A near-verbatim repost of `item` by another channel of the same language."""
        rng = self.rng
        text = item["text"]
        edit = rng.random()
        if edit < 0.3:
            text = "⚡️ " + text.lstrip("🔴🟢⚡️‼️⚠️🚨✅ ")
        elif edit < 0.6:
            text += rng.choice(["\n\n👉 Підписатися", "\n\nПідписуйтесь!", "\n#новини"] if item["lang"] == "uk"
                               else ["\n\n👉 Подписаться", "\n#новости", "\n\nПодписывайтесь!"])
        elif edit < 0.8:
            text = text.replace("!", ".", 1)
        t = item["_t"] + dt.timedelta(minutes=rng.randint(1, 12), seconds=rng.randint(0, 59))
        fam = item["_family"]
        clu = item["cluster"].split(":", 1)[1]
        self.add(channel, t, item["title"], text, clu, fam)

# ---------------------------------------------------------------- family: air-raid alerts

def alert_schedule(rng, days, start_local):
    """Per region a list of (start_local, duration_min, reason); mass alerts share a start minute.

    Two-day windows are drawn from a busier period, so that every file has 300+ items.
    """
    busy = days == 2
    out = {r: [] for r in REGIONS}
    for di in range(days):
        day0 = start_local + dt.timedelta(days=di)
        # 0-1 country-wide wave per night: many regions within a few minutes
        if busy or rng.random() < 0.8:
            wave = day0 + dt.timedelta(minutes=rng.randint(0, 330))
            reason = rng.choice(["ballistic", "missiles", "missiles"])
            for r in rng.sample(list(REGIONS), rng.randint(4, 8)):
                out[r].append((wave + dt.timedelta(minutes=rng.choice([0, 0, 0, 1, 2, 3])),
                               rng.randint(35, 150), reason))
        for r, reg in REGIONS.items():
            n = {3: rng.randint(1, 3), 2: rng.randint(0, 2), 1: rng.randint(0, 1), 0: int(rng.random() < 0.3)}[reg["risk"]]
            n += int(busy and reg["risk"] >= 2)
            for _ in range(n):
                s = day0 + dt.timedelta(minutes=rng.randint(0, 24 * 60 - 30))
                reason = rng.choice(["drones", "drones", None] + (["aviation", "aviation"] if reg["risk"] == 3 else []))
                out[r].append((s, rng.randint(8, 140), reason))
    final = {}
    for r, alerts in out.items():
        alerts.sort()
        kept = []
        for s, d, reason in alerts:
            if kept:
                ps, pd, _ = kept[-1]
                end = ps + dt.timedelta(minutes=pd)
                if s < end + dt.timedelta(minutes=3):
                    continue
                # recurring-minute pattern: 00:04, 03:04, 06:04 ...
                if rng.random() < 0.3 and (s - ps) > dt.timedelta(hours=1):
                    s = s.replace(minute=ps.minute)
                    if s < end + dt.timedelta(minutes=3):
                        continue
            kept.append((s, d, reason))
            # sometimes a fresh alert a few minutes after the all-clear (a new happening)
            if rng.random() < 0.15:
                e = s + dt.timedelta(minutes=d)
                kept.append((e + dt.timedelta(minutes=rng.randint(3, 25)), rng.randint(10, 60),
                             rng.choice(["drones", None])))
        final[r] = kept
    return final


def alert_start_posts(S, reg_key, t_local, t_utc, reason, cluster):
    rng, reg = S.rng, REGIONS[reg_key]
    tv = time_variants(t_local, t_utc)
    ukn, ukin, uks, ukon = reg["uk"]
    run, ruin, rus, ruon = reg["ru"]

    def R(lang):
        return rng.choice(REASONS[reason][lang]) if reason else None

    def en_form(ch):
        return S.pick(ch, "en-form-" + reg_key, reg["en"])

    posts = []
    # bot-like uk channel: fixed template, nominative after "в" (as such bots write)
    if rng.random() < 0.62:
        extra = f"\n{R('uk')}." if reason and rng.random() < 0.5 else ""
        posts.append(("Тривога | Моніторинг", 0, 1,
                      f"🔴 {tv['hm']} Повітряна тривога в {ukn}.{extra}\nСлідкуйте за подальшими повідомленнями.\n#{reg['tag']}"))
    if rng.random() < 0.22:
        ch = "Тривожна кнопка 24"
        tpl = S.pref(ch, "alert", 2)
        if tpl == 0:
            txt = f"🚨 Увага! {cap(ukin)} повітряна тривога.{' ' + R('uk') + '.' if reason else ''}\nНе ігноруйте сигнал!"
        else:
            txt = f"Тривога {rng.choice(['о ' + tv['hm'], 'о ' + tv['h_m'], '(' + tv['hm'] + ')'])} — {uks}.{' ' + R('uk') + '.' if reason and rng.random() < 0.6 else ''}\nБудьте в укритті 🙏 #тривога"
        posts.append((ch, 0, 5, txt))
    if rng.random() < 0.42:
        ch = "Air Alert Ukraine EN"
        posts.append((ch, 0, 2, f"🔴 Air raid alert in {en_form(ch)} ({S.pick(ch, 'time', [tv['hm'], tv['ampm']])})"
                      f"{chr(10) + R('en') + '.' if reason and rng.random() < 0.5 else ''}\n#AirAlert #Ukraine"))
    if rng.random() < 0.15:
        ch = "Alerts.UA Feed"
        f = en_form(ch)
        head = rng.choice([f"Air raid alert declared in {f}", f"Air raid alert: {f}", f"Sirens in {f}"])
        body = (f"An air raid alert was declared in {f} at {rng.choice([tv['hm'] + ' local time', tv['ampm'] + ' Kyiv time', tv['gmt']])}."
                f"{' ' + R('en') + ', officials said.' if reason else ''} Residents are urged to stay in shelters until the all-clear.")
        posts.append((ch, 3, 15, (head, body)))
    if rng.random() < 0.1:
        ch = "Ukraine Live Desk"
        f = en_form(ch)
        tpl = S.pref(ch, "alert", 2)
        if tpl == 0:
            txt = f"⚠️ AIR RAID ALERT — {f}.{' ' + R('en') + '.' if reason else ''} Take shelter."
        else:
            txt = f"{rng.choice([tv['ampm2'], tv['ampm3'], tv['hm']])}: Sirens are sounding across {f}.{' ' + R('en') + '.' if reason else ''}"
        posts.append((ch, 1, 8, txt))
    if rng.random() < 0.36:
        ch = "Карта тревог | Украина"
        posts.append((ch, 0, 2, f"🔴 Воздушная тревога: {run}\n{tv['hm']}\n#тревога #{reg['ru_tag']}"))
    if rng.random() < 0.15:
        ch = "Срочно | Тревоги 24"
        tpl = S.pref(ch, "alert", 2)
        if tpl == 0:
            txt = f"‼️ {cap(ruin)} объявлена воздушная тревога {rng.choice(['в ' + tv['hm'], 'в ' + tv['h_m']])}.{' ' + R('ru') + '.' if reason else ''}"
        else:
            txt = f"🚨 {rus} — тревога! Всем в укрытия.{' ' + R('ru') + '.' if reason and rng.random() < 0.5 else ''}"
        posts.append((ch, 0, 6, txt))
    for ch in REGIONAL.get(reg_key, []):
        if rng.random() >= 0.4:
            continue
        lang = CHANNELS[ch][0]
        city = reg["city"]
        tpl = S.pref(ch, "alert", 3)
        if lang == "uk":
            txt = [f"⚠️ {city[0] if city else uks}, повітряна тривога!{' ' + R('uk') + '.' if reason else ''}\nПрямуйте в укриття.",
                   f"‼️{cap(ukon)} оголошено повітряну тривогу {rng.choice(['о ' + tv['hm'], 'о ' + tv['h_m']])}.{' ' + R('uk') + '.' if reason else ''} #тривога",
                   f"🔴 Тривога! {uks}{', ' + low(R('uk')) if reason else ''}.\nНе нехтуйте укриттям."][tpl]
        elif lang == "ru":
            txt = [f"⚠️ {city[1] if city else rus}, воздушная тревога!{' ' + R('ru') + '.' if reason else ''}",
                   f"Тревога {rng.choice(['в ' + tv['hm'], 'в ' + tv['h_m']])} {ruon}. Все в укрытия!",
                   f"🔴 {cap(ruin)} тревога.{' ' + R('ru') + '.' if reason else ''} Пройдите в укрытие."][tpl]
        else:
            city_en = city[2] if city else reg["en"][0]
            if CHANNELS[ch][1] == "rss":
                txt = (f"Air raid alert in {city_en}",
                       f"Sirens went off in {city_en} and the surrounding region at {tv['ampm']}."
                       f"{' ' + R('en') + '.' if reason else ''} Residents should head to shelters.")
            else:
                txt = [f"⚠️ Air raid alert in {city_en}. Head to shelter.{' ' + R('en') + '.' if reason else ''}",
                       f"Sirens in {city_en} ({rng.choice([tv['ampm2'], tv['hm']])}).{' ' + R('en') + '.' if reason else ''}",
                       f"🔴 {city_en}: air raid alert, stay in shelters."][tpl]
        posts.append((ch, 0, 7, txt))
    emit_posts(S, posts, t_utc, cluster, "alert", fallback="Тривога | Моніторинг",
               fallback_text=f"🔴 {tv['hm']} Повітряна тривога в {ukn}.\nСлідкуйте за подальшими повідомленнями.\n#{reg['tag']}")


def all_clear_posts(S, reg_key, t_local, t_utc, dur, cluster):
    rng, reg = S.rng, REGIONS[reg_key]
    tv = time_variants(t_local, t_utc)
    ukn, ukin, uks, ukon = reg["uk"]
    run, ruin, rus, ruon = reg["ru"]

    def en_form(ch):
        return S.pick(ch, "en-form-" + reg_key, reg["en"])

    posts = []
    if rng.random() < 0.62:
        posts.append(("Тривога | Моніторинг", 0, 1,
                      f"🟢 {tv['hm']} Відбій тривоги в {ukn}.\nБережіть себе!\n#{reg['tag']}"))
    if rng.random() < 0.2:
        ch = "Тривожна кнопка 24"
        tpl = S.pref(ch, "clear", 2)
        txt = [f"✅ Відбій повітряної тривоги {ukon}. Тривала {dur_text('uk', dur, rng)}.",
               f"Відбій {rng.choice(['о ' + tv['hm'], 'о ' + tv['h_m']])}. {uks} — можна виходити з укриттів, але будьте уважні."][tpl]
        posts.append((ch, 0, 5, txt))
    if rng.random() < 0.42:
        ch = "Air Alert Ukraine EN"
        posts.append((ch, 0, 2, f"🟢 All clear in {en_form(ch)} ({S.pick(ch, 'time', [tv['hm'], tv['ampm']])})\n#AirAlert #Ukraine"))
    if rng.random() < 0.15:
        ch = "Alerts.UA Feed"
        f = en_form(ch)
        head = rng.choice([f"Air raid alert lifted in {f}", f"All clear: {f}"])
        body = f"The air raid alert in {f} ended at {rng.choice([tv['hm'], tv['ampm'], tv['gmt']])} after {dur_text('en', dur, rng)}."
        posts.append((ch, 3, 15, (head, body)))
    if rng.random() < 0.1:
        ch = "Ukraine Live Desk"
        f = en_form(ch)
        txt = rng.choice([f"✅ ALL CLEAR — {f}. The alert lasted {dur_text('en', dur, rng)}.",
                          f"{rng.choice([tv['ampm2'], tv['hm']])}: The all-clear has been given in {f}."])
        posts.append((ch, 1, 8, txt))
    if rng.random() < 0.36:
        ch = "Карта тревог | Украина"
        posts.append((ch, 0, 2, f"🟢 Отбой тревоги: {run}\n{tv['hm']}\n#отбой #{reg['ru_tag']}"))
    if rng.random() < 0.15:
        ch = "Срочно | Тревоги 24"
        txt = rng.choice([f"✅ {cap(ruin)} отбой воздушной тревоги. Длилась {dur_text('ru', dur, rng)}.",
                          f"Отбой! {rus} — тревога продолжалась {dur_text('ru', dur, rng)}."])
        posts.append((ch, 0, 6, txt))
    for ch in REGIONAL.get(reg_key, []):
        if rng.random() >= 0.3:
            continue
        lang = CHANNELS[ch][0]
        city = reg["city"]
        if lang == "uk":
            txt = rng.choice([f"✅ {city[0] if city else uks}, відбій тривоги!",
                              f"🟢 Відбій {ukon} {rng.choice(['о ' + tv['hm'], '(' + tv['hm'] + ')'])}. Тривога тривала {dur_text('uk', dur, rng)}."])
        elif lang == "ru":
            txt = rng.choice([f"✅ {city[1] if city else rus}, отбой тревоги!", f"🟢 Отбой {ruon} в {tv['hm']}."])
        else:
            city_en = city[2] if city else reg["en"][0]
            if CHANNELS[ch][1] == "rss":
                txt = (f"All clear in {city_en}",
                       f"The air raid alert in {city_en} was lifted at {tv['ampm']} after {dur_text('en', dur, rng)}.")
            else:
                txt = f"✅ All clear in {city_en} ({tv['hm']})."
        posts.append((ch, 0, 7, txt))
    emit_posts(S, posts, t_utc, cluster, "allclear", fallback="Тривога | Моніторинг",
               fallback_text=f"🟢 {tv['hm']} Відбій тривоги в {ukn}.\nБережіть себе!\n#{reg['tag']}")


def emit_posts(S, posts, t0_utc, cluster, family, fallback=None, fallback_text=None, copy_p=0.12):
    """Add posts of one happening, each delayed lo..hi minutes; maybe one near-verbatim repost."""
    rng = S.rng
    if not posts and fallback:
        posts = [(fallback, 0, 2, fallback_text)]
    added = []
    for ch, lo, hi, content in posts:
        t = t0_utc + dt.timedelta(minutes=rng.randint(lo, hi), seconds=rng.randint(0, 59))
        if isinstance(content, tuple):
            title, text = content
        else:
            title, text = None, content
        S.add(ch, t, title, text, cluster, family)
        added.append(S.items[-1])
    tg = [a for a in added if CHANNELS[a["source"]][1] == "tg" and a["lang"] in ("uk", "ru")]
    if tg and rng.random() < copy_p:
        src = rng.choice(tg)
        S.copy_edit("Новини Сьогодні | UA" if src["lang"] == "uk" else "Новости Сейчас", src)


def gen_alerts(S, days, start_local, off_h):
    sched = alert_schedule(S.rng, days, start_local)
    end_local = start_local + dt.timedelta(days=days)
    night_counts = Counter()
    for r, alerts in sched.items():
        for s, d, reason in alerts:
            if s >= end_local:
                continue
            s_utc = (s - dt.timedelta(hours=off_h)).replace(tzinfo=UTC)
            alert_start_posts(S, r, s, s_utc, reason, f"alert:{r}:{s:%Y%m%dT%H%M}")
            e = s + dt.timedelta(minutes=d)
            if s.hour < 7:
                night_counts[s.date()] += 0  # touch
            if e < end_local:
                e_utc = s_utc + dt.timedelta(minutes=d)
                all_clear_posts(S, r, e, e_utc, d, f"allclear:{r}:{e:%Y%m%dT%H%M}")
    # regions with an alert during each night (00:00-07:00), for the digest posts
    nights = {}
    for r, alerts in sched.items():
        for s, d, _ in alerts:
            if s.hour < 7:
                nights.setdefault(s.date(), set()).add(r)
    return nights

# ---------------------------------------------------------------- family: exchange rates

BANKS = {
    "nbu": dict(uk=["НБУ", "Нацбанк", "Національний банк"], ru=["НБУ", "Нацбанк"],
                en=["NBU", "National Bank of Ukraine", "the central bank"]),
    "svitanok": dict(uk=["Банк Світанок", "Світанок"], ru=["Свитанок"],
                     en=["Svitanok Bank", "Bank Svitanok"], own="Банк Світанок"),
    "dnkredyt": dict(uk=["Дніпровський Кредит", "банк «Дніпровський Кредит»"],
                     ru=["Днепровский Кредит"],
                     en=["Dniprovskyi Kredyt", "Dnipro Credit Bank"], own="Дніпровський Кредит | офіційний"),
    # no channel of its own: known only through aggregators
    "obrii": dict(uk=["Банк Обрій", "Обрій"], ru=["Обрий"], en=["Obrii Bank", "Bank Obrii"], own=None),
}


def gen_fx(S, days, start_local, off_h):
    rng = S.rng
    usd = rng.uniform(39.3, 41.8)
    eur_ratio = rng.uniform(1.06, 1.10)
    for di in range(days):
        day = (start_local + dt.timedelta(days=di)).date()
        prev = usd
        usd = round(usd + rng.uniform(-0.18, 0.18), 4)
        eur = usd * (eur_ratio + rng.uniform(-0.004, 0.004))
        # NBU: announced ~15:30 local for the next day; cluster = bank + date the rate applies
        applies = day + dt.timedelta(days=1)
        t = dt.datetime.combine(day, dt.time(15, rng.randint(25, 50))) - dt.timedelta(hours=off_h)
        t = t.replace(tzinfo=UTC)
        ch_kop = round((usd - prev) * 100)
        sign = "+" if ch_kop >= 0 else "−"
        posts = []
        if rng.random() < 0.8:
            posts.append(("Гроші та курси 💰", 0, 20, rng.choice([
                f"🏦 {rng.choice(BANKS['nbu']['uk'])} встановив офіційний курс на {date_words('uk', applies, 0)}: "
                f"{num('uk', usd, 4)} грн/$ ({sign}{abs(ch_kop)} коп.), євро — {num('uk', eur, 4)} грн.",
                f"Офіційний курс на завтра, {date_words('uk', applies, 1)}\n💵 USD {num('uk', usd, 4)}\n💶 EUR {num('uk', eur, 4)}\n"
                f"Гривня {'послабилася' if ch_kop > 0 else 'зміцнилася' if ch_kop < 0 else 'не змінилася'} #НБУ #курс"])))
        if rng.random() < 0.6:
            posts.append(("Курсы валют | Украина", 0, 30, rng.choice([
                f"Нацбанк установил официальный курс на {date_words('ru', applies, 0)}: {num('ru', usd, 2)} грн за доллар "
                f"({sign}{abs(ch_kop)} коп.) и {num('ru', eur, 2)} грн за евро.",
                f"💵 Официальный курс НБУ на завтра: доллар — {num('ru', usd, 4)}, евро — {num('ru', eur, 4)}"])))
        if rng.random() < 0.6:
            posts.append(("Hryvnia Watch", 5, 45, (
                f"NBU sets official hryvnia rate at {usd:.2f} per dollar for {date_words('en', applies, 1)}",
                f"The National Bank of Ukraine set the official exchange rate for {date_words('en', applies, 0)} at "
                f"{usd:.4f} hryvnias per US dollar, {'weaker' if ch_kop > 0 else 'stronger'} by {abs(ch_kop)} kopecks "
                f"than the previous fixing. The euro was set at {eur:.2f}.")))
        if rng.random() < 0.35:
            posts.append(("Ukraine Business Brief", 10, 60,
                          f"📊 NBU official rate for tomorrow ({date_words('en', applies, 3)}): USD {usd:.2f} | EUR {eur:.2f} #UAH"))
        emit_posts(S, posts, t, f"fx:nbu:{applies:%Y%m%d}", "fx", fallback="Гроші та курси 💰",
                   fallback_text=f"🏦 НБУ встановив офіційний курс на {date_words('uk', applies, 0)}: {num('uk', usd, 4)} грн/$.")
        # commercial banks: cash rates posted in the morning for the same day
        for bank in ("svitanok", "dnkredyt", "obrii"):
            b = BANKS[bank]
            spread = rng.uniform(0.35, 0.7)
            ub, us = usd - spread / 2 + rng.uniform(-0.1, 0.15), usd + spread / 2 + rng.uniform(0, 0.2)
            eb, es = eur - spread / 2 - 0.1, eur + spread / 2 + 0.15
            t = dt.datetime.combine(day, dt.time(8, 0)) + dt.timedelta(minutes=rng.randint(20, 75))
            t = (t - dt.timedelta(hours=off_h)).replace(tzinfo=UTC)
            posts = []
            if b["own"] and rng.random() < 0.85:
                posts.append((b["own"], 0, 0,
                              f"💵 Курс валют на {date_words('uk', day, S.pref(b['own'], 'date', 2))}\n"
                              f"USD: {num('uk', ub)} / {num('uk', us)}\nEUR: {num('uk', eb)} / {num('uk', es)}\n"
                              f"Курси можуть змінюватися протягом дня."))
            if rng.random() < 0.45:
                posts.append(("Гроші та курси 💰", 3, 40, rng.choice([
                    f"{cap(rng.choice(b['uk']))} на {date_words('uk', day, 0)}: долар — {num('uk', ub)}/{num('uk', us)} грн, "
                    f"євро — {num('uk', eb)}/{num('uk', es)} грн.",
                    f"📊 Курс на сьогодні ({b['uk'][0]}): $ {num('uk', us)}, € {num('uk', es)} #курс #гривня"])))
            if rng.random() < 0.4:
                posts.append(("Курсы валют | Украина", 5, 50, rng.choice([
                    f"💵 Курс в банке «{b['ru'][0]}» на {date_words('ru', day, 1)}: доллар {num('ru', ub)}/{num('ru', us)}, "
                    f"евро {num('ru', eb)}/{num('ru', es)}",
                    f"Доллар в банке «{b['ru'][0]}» сегодня продают по {num('ru', us)} грн, евро — по {num('ru', es)} грн."])))
            if rng.random() < 0.3:
                posts.append(("Ukraine Business Brief", 10, 90,
                              f"💵 {b['en'][0]} cash rates, {date_words('en', day, 2)}: USD {ub:.2f}/{us:.2f}, EUR {eb:.2f}/{es:.2f}"))
            emit_posts(S, posts, t, f"fx:{bank}:{day:%Y%m%d}", "fx", fallback=b["own"] or "Гроші та курси 💰",
                       fallback_text=f"💵 {b['uk'][0]}: курс валют на {date_words('uk', day, 0)}\n"
                                     f"USD: {num('uk', ub)} / {num('uk', us)}")

# ---------------------------------------------------------------- family: weather

CITIES = {
    "kyiv": dict(uk=("Київ", "у Києві"), ru=("Киев", "в Киеве"), en=["Kyiv", "Kyiv", "Kiev"], adj=0,
                 local=["Київ Поруч", "Kyiv Pulse"]),
    "kharkiv": dict(uk=("Харків", "у Харкові"), ru=("Харьков", "в Харькове"), en=["Kharkiv", "Kharkiv", "Kharkov"],
                    adj=-1, local=["Харків Оперативно ⚡️", "Харьков Сейчас"]),
    "odesa": dict(uk=("Одеса", "в Одесі"), ru=("Одесса", "в Одессе"), en=["Odesa", "Odessa"], adj=2,
                  local=["Одеса Online", "Одесса Live 24"]),
    "lviv": dict(uk=("Львів", "у Львові"), ru=("Львов", "во Львове"), en=["Lviv"], adj=-1,
                 local=["Львів Сьогодні", "Lviv Today EN"]),
    "dnipro": dict(uk=("Дніпро", "у Дніпрі"), ru=("Днепр", "в Днепре"), en=["Dnipro", "Dnipro", "Dnepr"], adj=1,
                   local=["Дніпро Live"]),
}
MEAN_HIGH = [-1, 0, 6, 14, 21, 24, 26, 25, 19, 12, 5, 0]
COND = {
    "sunny": ("сонячно, без опадів", "солнечно, без осадков", "sunny and dry", "☀️"),
    "pcloudy": ("мінлива хмарність", "переменная облачность", "partly cloudy", "⛅️"),
    "rain": ("хмарно, невеликий дощ", "облачно, небольшой дождь", "cloudy with light rain", "🌧"),
    "storm": ("короткочасні дощі, місцями грози", "кратковременные дожди, местами грозы",
              "showers and thunderstorms", "⛈"),
    "snow": ("хмарно, сніг", "облачно, снег", "cloudy with snow", "🌨"),
    "sleet": ("мокрий сніг з дощем", "мокрый снег с дождём", "sleet and rain", "🌨"),
    "fog": ("вранці туман, далі хмарно", "утром туман, затем облачно", "morning fog, then cloudy", "🌫"),
    "overcast": ("похмуро, без істотних опадів", "пасмурно, без существенных осадков", "overcast, mostly dry", "☁️"),
}
WIND = [("північний", "северный", "N"), ("південний", "южный", "S"), ("західний", "западный", "W"),
        ("східний", "восточный", "E"), ("північно-західний", "северо-западный", "NW"),
        ("південно-східний", "юго-восточный", "SE")]


def gen_weather(S, days, start_local, off_h):
    rng = S.rng
    cities = list(CITIES)
    for di in range(days):
        day = (start_local + dt.timedelta(days=di)).date()
        m = day.month
        if m in (12, 1, 2):
            pool = ["sunny", "pcloudy", "snow", "sleet", "fog", "overcast"]
        elif m in (6, 7, 8):
            pool = ["sunny", "sunny", "pcloudy", "storm", "rain"]
        else:
            pool = ["sunny", "pcloudy", "rain", "fog", "overcast"] + (["sleet"] if m in (3, 11) else [])
        for c in cities:
            C = CITIES[c]
            cond = rng.choice(pool)
            hi = MEAN_HIGH[m - 1] + C["adj"] + rng.randint(-3, 3)
            d_lo, d_hi = hi - rng.randint(2, 4), hi
            n_hi = d_lo - rng.randint(2, 4)
            n_lo = n_hi - rng.randint(2, 3)
            wind = rng.choice(WIND)
            ws = rng.choice([(3, 7), (5, 10), (7, 12)])
            cu, cr, ce, emo = COND[cond]
            cl = f"weather:{c}:{day:%Y%m%d}"
            t0 = dt.datetime.combine(day, dt.time(6, 30)) - dt.timedelta(hours=off_h)
            t0 = t0.replace(tzinfo=UTC)
            mn = rng.choice(["-", "−"])
            posts = []
            if rng.random() < 0.8:
                posts.append(("Погода в Україні ☀️", 0, 60, rng.choice([
                    f"{emo} Погода {C['uk'][1]} на {WEEKDAYS['uk_acc'][day.weekday()]}, {date_words('uk', day)}\n"
                    f"Вдень {temp(d_lo, mn)}…{temp(d_hi, mn)}°C, вночі {temp(n_lo, mn)}…{temp(n_hi, mn)}°C. {cap(cu)}. "
                    f"Вітер {wind[0]}, {ws[0]}-{ws[1]} м/с. #погода",
                    f"{C['uk'][0]}, {date_words('uk', day, 1)}: {cu}, до {temp(d_hi)}° {emo}"])))
            if rng.random() < 0.55:
                posts.append(("Погода | Украина", 10, 90, rng.choice([
                    f"{emo} Погода {C['ru'][1]} на {date_words('ru', day)}: днём {temp(d_lo, mn)}…{temp(d_hi, mn)}, "
                    f"ночью {temp(n_lo, mn)}…{temp(n_hi, mn)}, {cr}.",
                    f"Синоптики: сегодня {C['ru'][1]} {cr}, температура до {temp(d_hi)}. Ветер {wind[1]}, {ws[0]}–{ws[1]} м/с."])))
            if rng.random() < 0.5:
                en = rng.choice(C["en"])
                posts.append(("Ukraine Weather Daily", 0, 40, (
                    rng.choice([f"{en} weather, {date_words('en', day, 2)}: {ce}, high {d_hi}°C",
                                f"Today's forecast for {en} ({date_words('en', day, 0)})"]),
                    f"{cap(ce)} in {en} on {WEEKDAYS['en'][day.weekday()]}, with a high of {d_hi}°C and a low of {n_lo}°C overnight. "
                    f"Wind {wind[2]} at {ws[0]}-{ws[1]} m/s.")))
            for ch in C["local"]:
                if rng.random() >= 0.45:
                    continue
                lang = CHANNELS[ch][0]
                if lang == "uk":
                    txt = f"🌡 Сьогодні {C['uk'][1]} {cu}, вдень {temp(d_lo)}...{temp(d_hi)}, вночі близько {temp(n_hi)}. Гарного дня!"
                elif lang == "ru":
                    txt = f"🌡 Сегодня {C['ru'][1]} {cr}, днём до {temp(d_hi)}, ночью около {temp(n_hi)}."
                elif CHANNELS[ch][1] == "rss":
                    txt = (f"{C['en'][0]} weather today: {ce}", f"Expect {ce} weather today with highs around {d_hi}°C.")
                else:
                    txt = f"{emo} {C['en'][0]} today: {ce}, {d_lo}–{d_hi}°C"
                posts.append((ch, 20, 120, txt))
            emit_posts(S, posts, t0, cl, "weather", fallback="Погода в Україні ☀️",
                       fallback_text=f"{C['uk'][0]}, {date_words('uk', day, 1)}: {cu}, до {temp(d_hi)}° {emo}")
            # sometimes a forecast for tomorrow the evening before: same cluster (city + date forecast)
            if di > 0 and rng.random() < 0.3:
                te = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(19, rng.randint(0, 59))) - dt.timedelta(hours=off_h)
                ch = rng.choice(["Погода в Україні ☀️", "Погода | Украина"])
                txt = (f"🔮 Завтра {C['uk'][1]} {cu}, вдень до {temp(d_hi)}°." if CHANNELS[ch][0] == "uk"
                       else f"🔮 Завтра {C['ru'][1]} {cr}, днём до {temp(d_hi)}.")
                S.add(ch, te.replace(tzinfo=UTC), None, txt, cl, "weather")

# ---------------------------------------------------------------- family: power outages

OUTAGE_REGIONS = {
    "kyiv-city": dict(ch=["Світло Є? | Київ", "Київ Поруч"]), "kyiv-oblast": dict(ch=["Київщина Інфо"]),
    "kharkiv": dict(ch=["Харків Оперативно ⚡️", "Харьков Сейчас"]), "odesa": dict(ch=["Свет по графику | Одесса", "Одеса Online"]),
    "dnipro": dict(ch=["Дніпро Live"]),
}
SLOTS = ["00:00–04:00", "04:00–08:00", "08:00–12:00", "12:00–16:00", "16:00–20:00", "20:00–24:00"]


def schedule_lines(lang, sched):
    word = {"uk": "черга", "ru": "очередь", "en": "Group"}[lang]
    out = []
    for q, slots in enumerate(sched, 1):
        w = ", ".join(SLOTS[s] for s in slots) if slots else {"uk": "без відключень", "ru": "без отключений",
                                                             "en": "no outages"}[lang]
        out.append(f"{word} {q}: {w}" if lang == "en" else f"{q} {word}: {w}")
    return "\n".join(out)


def gen_outages(S, days, start_local, off_h):
    rng = S.rng
    regions = rng.sample(list(OUTAGE_REGIONS), 4)
    for di in range(days):
        day = (start_local + dt.timedelta(days=di)).date()
        for r in regions:
            reg = REGIONS[r]
            stage = rng.choice([0, 1, 1, 2, 2, 3])
            sched = [sorted(rng.sample(range(6), stage)) for _ in range(6)]
            cl = f"outage:{r}:{day:%Y%m%d}"
            if di == 0:
                t0, when_uk, when_ru, when_en = dt.datetime.combine(day, dt.time(6, 40)), "сьогодні", "сегодня", "today"
            else:
                t0 = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(rng.randint(18, 21), rng.randint(0, 59)))
                when_uk, when_ru, when_en = "завтра", "завтра", "tomorrow"
            t0 = (t0 - dt.timedelta(hours=off_h)).replace(tzinfo=UTC)
            ukn, ukin, uks, ukon = reg["uk"]
            run, ruin, rus, ruon = reg["ru"]
            posts = []
            none_uk = f"💡 {cap(when_uk)}, {date_words('uk', day)}, {ukon} відключень світла не прогнозується."
            if stage == 0:
                if rng.random() < 0.85:
                    posts.append(("Графіки відключень UA 💡", 0, 30, none_uk))
                if rng.random() < 0.5:
                    posts.append(("Energy Watch Ukraine", 5, 40, (
                        f"No power cuts planned in {reg['en'][0]} {when_en}",
                        f"Grid operators do not plan scheduled outages in {reg['en'][0]} on {date_words('en', day, 1)}.")))
            else:
                if rng.random() < 0.85:
                    posts.append(("Графіки відключень UA 💡", 0, 30,
                                  f"💡 Графік відключень {ukon} на {when_uk}, {date_words('uk', day)}:\n\n"
                                  f"{schedule_lines('uk', sched)}\n\nГрафік може змінюватися. #світло #графік"))
                if rng.random() < 0.45:
                    posts.append(("Energy Watch Ukraine", 5, 40, (
                        rng.choice([f"{reg['en'][0]} power outage schedule for {date_words('en', day, 1)}",
                                    f"Scheduled blackouts in {reg['en'][1 % len(reg['en'])]} {when_en}"]),
                        f"Households in {reg['en'][0]} will be without power for up to {4 * stage} hours on "
                        f"{WEEKDAYS['en'][day.weekday()]}, according to the schedule published by the regional grid operator. "
                        + " ".join(f"Group {q}: {', '.join(SLOTS[s] for s in sl)}." for q, sl in enumerate(sched, 1) if sl))))
            for ch in OUTAGE_REGIONS[r]["ch"]:
                if rng.random() >= 0.55:
                    continue
                lang = CHANNELS[ch][0]
                if stage == 0:
                    txt = (f"Світло є! {cap(when_uk)} відключень не плануємо ✅" if lang == "uk"
                           else f"{cap(when_ru)} без отключений света ✅")
                elif lang == "uk":
                    txt = rng.choice([
                        f"⚡️ Графік на {when_uk} ({date_words('uk', day, 1)}):\n{schedule_lines('uk', sched)}",
                        f"‼️ {cap(when_uk)} діятимуть графіки відключень: до {4 * stage} годин без світла для кожної черги.\n"
                        f"{schedule_lines('uk', sched)}"])
                else:
                    txt = (f"💡 Графики отключений {ruon} на {when_ru}, {date_words('ru', day)}:\n"
                           f"{schedule_lines('ru', sched)}")
                posts.append((ch, 2, 45, txt))
            emit_posts(S, posts, t0, cl, "outage", fallback="Графіки відключень UA 💡", fallback_text=none_uk
                       if stage == 0 else f"💡 Графік відключень {ukon} на {when_uk}:\n{schedule_lines('uk', sched)}")
            # an update of that day's schedule is a new announcement: its own cluster
            if stage and rng.random() < 0.3:
                q = rng.randint(1, 6)
                add = rng.choice([s for s in range(6) if s not in sched[q - 1]] or [0])
                tu = dt.datetime.combine(day, dt.time(rng.randint(10, 16), rng.randint(0, 59)))
                tu = (tu - dt.timedelta(hours=off_h)).replace(tzinfo=UTC)
                cl_u = f"outage-update:{r}:{tu:%Y%m%dT%H%M}"
                posts = [("Графіки відключень UA 💡", 0, 10,
                          f"❗️Оновлено графік {ukon} на сьогодні, {date_words('uk', day)}: для {q} черги додано відключення "
                          f"{SLOTS[add]}. Решта черг — без змін.")]
                if rng.random() < 0.5:
                    posts.append(("Energy Watch Ukraine", 5, 30, (
                        f"{reg['en'][0]} revises today's outage schedule",
                        f"Group {q} in {reg['en'][0]} will also lose power {SLOTS[add].replace('–', '-')} on {date_words('en', day, 1)}, "
                        f"the grid operator said in an update.")))
                for ch in OUTAGE_REGIONS[r]["ch"]:
                    if rng.random() < 0.4:
                        posts.append((ch, 2, 20, f"Зміни в графіку! {q} черга сьогодні ще й {SLOTS[add]}." if CHANNELS[ch][0] == "uk"
                                      else f"Изменения в графике: {q} очередь сегодня дополнительно {SLOTS[add]}."))
                emit_posts(S, posts, tu, cl_u, "outage-update")

# ---------------------------------------------------------------- family: morning digests

HEADLINES = {
    "uk": ["Кабмін продовжив програму пільгових іпотечних кредитів ще на рік",
           "У столиці відкрили новий міст для пішоходів через Либідь",
           "Укрзалізниця призначила додаткові поїзди до Карпат",
           "Мінфін розмістив облігації на 8 млрд грн",
           "У Львові стартував книжковий фестиваль",
           "Верховна Рада ухвалила в першому читанні законопроєкт про реєстр пацієнтів",
           "Ціни на пальне на АЗС за тиждень зросли на 40–60 копійок",
           "НБУ оновив прогноз інфляції на кінець року",
           "Школярі складатимуть НМТ за новим розкладом",
           "У Харкові відновили рух двох тролейбусних маршрутів",
           "Синоптики попереджають про ожеледицю на дорогах заходу країни",
           "Збірна України з волейболу вийшла до півфіналу турніру",
           "Уряд спростив оформлення субсидій для ВПО",
           "В Одесі відкрили оновлену ділянку набережної",
           "Аграрії завершили сівбу ранніх зернових на півдні",
           "Держстат: промислове виробництво за місяць зросло на 2%",
           "У метро Києва тестують оплату смартгодинником",
           "Прикордонники: черги на кордоні з Польщею скоротилися"],
    "ru": ["Правительство утвердило новые правила выдачи льготных кредитов",
           "В Москве открыли три новые станции метро",
           "Цены на бензин за неделю выросли на 30–50 копеек",
           "ЦБ сохранил ключевую ставку, следующий пересмотр через шесть недель",
           "В Санкт-Петербурге развели мосты досрочно из-за ремонта",
           "Синоптики обещают резкое похолодание в Центральной России",
           "В Казани стартовал международный кинофестиваль",
           "Авиакомпании увеличили число рейсов в Турцию",
           "Минфин разместил ОФЗ на 40 млрд рублей",
           "Госдума приняла закон о маркировке бытовой техники",
           "В Сочи закрыли пляжи из-за шторма",
           "Сборная по хоккею объявила состав на товарищеские матчи",
           "Росстат: безработица осталась на историческом минимуме",
           "В Новосибирске открыли новый участок объездной дороги",
           "Школы переходят на новую систему электронных дневников",
           "Экспорт пшеницы в прошлом месяце вырос на 12%",
           "В Екатеринбурге задержали подозреваемых в кибермошенничестве",
           "Ученые зафиксировали рекордную температуру воды в Чёрном море"],
    "en": ["EU ministers meet in Brussels to discuss the next sanctions package",
           "Oil prices edge higher after OPEC+ output comments",
           "Poland and Ukraine agree to extend a rail freight pilot",
           "European stocks open flat ahead of US inflation data",
           "IMF mission concludes review talks in Kyiv",
           "Moldova's parliament passes an energy efficiency law",
           "Romania reports record solar output for the month",
           "Wheat futures fall on improved harvest forecasts",
           "Baltic states announce joint air defence exercise",
           "Germany approves additional funding for winter energy aid",
           "Airlines add routes between Warsaw and Central Asia",
           "Hungary's central bank holds its base rate",
           "Georgia opens a new border crossing with Armenia",
           "Turkish inflation slows for a third month",
           "Czech government survives a confidence vote",
           "UN agency warns of funding gap for winter shelters",
           "Slovakia and Ukraine sign a road-bridge construction deal",
           "Bulgarian port handles record grain volumes"],
}


def gen_digests(S, days, start_local, off_h, nights):
    rng = S.rng
    pools = {lang: rng.sample(h, len(h)) for lang, h in HEADLINES.items()}
    for di in range(days):
        day = (start_local + dt.timedelta(days=di)).date()
        n_alert = len(nights.get(day, ()))
        for ch, lang in (("Ранкова кава ☕️", "uk"), ("Утро. Главное", "ru"), ("Morning Briefing | East Desk", "en")):
            k = rng.randint(3, 5)
            heads = [pools[lang].pop() for _ in range(k)]
            if lang == "uk":
                heads.insert(0, f"Вночі повітряна тривога лунала у {n_alert} {plural(n_alert, ('області', 'областях', 'областях'))}")
                body = "\n".join(f"▪️ {h}" for h in heads)
                txt = (f"☕️ Доброго ранку! Головне на {WEEKDAYS['uk_acc'][day.weekday()]}, {date_words('uk', day)}:\n\n{body}"
                       f"\n\nГарного дня і спокійного неба 💙💛")
            elif lang == "ru":
                heads.insert(rng.randint(0, 2), f"Ночью воздушная тревога звучала в {n_alert} "
                                                f"{plural(n_alert, ('области', 'областях', 'областях'))} Украины")
                body = "\n".join(f"{i}. {h}" for i, h in enumerate(heads, 1))
                txt = f"Доброе утро! Главное к утру {date_words('ru', day)}:\n\n{body}"
            else:
                heads.insert(0, f"Air raid alerts sounded overnight in {n_alert} Ukrainian regions")
                body = " ".join(f"{h}." for h in heads)
                txt = (f"Morning briefing — {WEEKDAYS['en'][day.weekday()]}, {date_words('en', day, 0)}",
                       f"Good morning. Here is what you need to know today. {body}")
            t0 = dt.datetime.combine(day, dt.time(7, 0)) + dt.timedelta(minutes=rng.randint(0, 80))
            t0 = (t0 - dt.timedelta(hours=off_h)).replace(tzinfo=UTC)
            # a digest is not one event: each digest post is its own cluster; a sister channel's
            # verbatim repost of it is the same cluster
            emit_posts(S, [(ch, 0, 0, txt)], t0, f"digest:{ch.split()[0].lower()}-{lang}:{day:%Y%m%d}", "digest",
                       copy_p=0.25)

# ---------------------------------------------------------------- family: football

CLUBS = {
    "shakhtar": ("Шахтар", ["Shakhtar Donetsk", "Shakhtar"], "Шахтёр"),
    "dynamo": ("Динамо Київ", ["Dynamo Kyiv", "Dynamo Kiev"], "Динамо Киев"),
    "zorya": ("Зоря", ["Zorya Luhansk", "Zorya"], "Заря"),
    "dnipro1": ("Дніпро-1", ["Dnipro-1", "SC Dnipro-1"], "Днепр-1"),
    "polissia": ("Полісся", ["Polissya Zhytomyr", "Polissia"], "Полесье"),
    "kryvbas": ("Кривбас", ["Kryvbas", "Kryvbas Kryvyi Rih"], "Кривбасс"),
    "oleksandriya": ("Олександрія", ["Oleksandriya", "FC Oleksandriya"], "Александрия"),
    "vorskla": ("Ворскла", ["Vorskla Poltava", "Vorskla"], "Ворскла"),
    "rukh": ("Рух", ["Rukh Lviv", "Rukh"], "Рух"),
    "kolos": ("Колос", ["Kolos Kovalivka", "Kolos"], "Колос"),
    "chornomorets": ("Чорноморець", ["Chornomorets Odesa", "Chornomorets"], "Черноморец"),
    "metalist": ("Металіст 1925", ["Metalist 1925", "Metalist 1925 Kharkiv"], "Металлист 1925"),
}
PLAYERS = [("Коваленко", "Kovalenko", "Коваленко"), ("Мельник", "Melnyk", "Мельник"), ("Бондар", "Bondar", "Бондарь"),
           ("Ткачук", "Tkachuk", "Ткачук"), ("Шевчук", "Shevchuk", "Шевчук"), ("Кравець", "Kravets", "Кравец"),
           ("Олійник", "Oliinyk", "Олейник"), ("Лисенко", "Lysenko", "Лысенко"), ("Руденко", "Rudenko", "Руденко"),
           ("Савчук", "Savchuk", "Савчук"), ("Гончар", "Honchar", "Гончар"), ("Поліщук", "Polishchuk", "Полищук"),
           ("Марченко", "Marchenko", "Марченко"), ("Кучер", "Kucher", "Кучер"), ("Дяченко", "Diachenko", "Дьяченко"),
           ("Левченко", "Levchenko", "Левченко"), ("Сидоренко", "Sydorenko", "Сидоренко"), ("Гнатюк", "Hnatiuk", "Гнатюк")]


def gen_football(S, days, start_local, off_h):
    rng = S.rng
    clubs = list(CLUBS)
    matches = []  # (day, kickoff time, home, away, youth)
    md = rng.randint(9, 26)
    for di in range(days):
        day = (start_local + dt.timedelta(days=di)).date()
        pool = rng.sample(clubs, 6)  # three matches a day, a round spread over several days
        for i, ko in enumerate(rng.sample(["13:00", "15:30", "18:00", "20:30"], 3)):
            matches.append([day, ko, pool[2 * i], pool[2 * i + 1], False, md])
    # hard negatives: a club that plays again later in the stream; the U19 sides of a senior pairing
    if days >= 3:
        a = matches[0][2]
        late = [m for m in matches if m[0] == matches[-1][0]]
        if all(a not in (m[2], m[3]) for m in late):
            late[0][2] = a
    src = rng.choice(matches)
    matches.append([src[0], "11:00", src[2], src[3], True, src[5]])
    scores = []
    for m in matches:
        scores.append((rng.choice([0, 0, 1, 1, 1, 2, 2, 3]), rng.choice([0, 0, 1, 1, 2, 2, 3])))
    # two matches of one day end with the same score
    if len(matches) > 1 and matches[0][0] == matches[1][0]:
        scores[1] = scores[0]
    for (day, ko, h, a, youth, mday), (x, y) in zip(matches, scores):
        H, A = CLUBS[h], CLUBS[a]
        u = " U19" if youth else ""
        goals = sorted([(rng.randint(3, 90), "h") for _ in range(x)] + [(rng.randint(3, 90), "a") for _ in range(y)])
        goals = [(mi, side, rng.choice(PLAYERS)) for mi, side in goals]
        ht = (sum(1 for g in goals if g[0] <= 45 and g[1] == "h"), sum(1 for g in goals if g[0] <= 45 and g[1] == "a"))
        hh, mm = map(int, ko.split(":"))
        t_ko = (dt.datetime.combine(day, dt.time(hh, mm)) - dt.timedelta(hours=off_h)).replace(tzinfo=UTC)
        t_ft = t_ko + dt.timedelta(minutes=rng.randint(108, 118))
        cl = f"match:{h}-{a}{'-u19' if youth else ''}:{day:%Y%m%d}"
        comp_uk = f"U19, {mday} тур" if youth else f"УПЛ, {mday} тур"
        comp_en = f"U19 league, matchday {mday}" if youth else f"Premier League, matchday {mday}"

        def scorers(lang):
            li = {"uk": 0, "en": 1, "ru": 2}[lang]
            hs = ", ".join(f"{p[li]} {mi}'" for mi, s, p in goals if s == "h")
            as_ = ", ".join(f"{p[li]} {mi}'" for mi, s, p in goals if s == "a")
            return f"{hs or '—'} / {as_ or '—'}"

        def winner(li):
            if x == y:
                return None
            return (H if x > y else A)[li]

        enH, enA = S.pick("en", "club-" + h, H[1]), S.pick("en", "club-" + a, A[1])
        posts = []
        if rng.random() < 0.75:
            posts.append(("Футбол UA ⚽️", 0, 6, rng.choice([
                f"FT: {H[0]}{u} {x}-{y} {A[0]}{u}",
                f"⚽️ Фінальний свисток! {H[0]}{u} — {A[0]}{u} — {x}:{y}\nГоли: {scorers('uk')}\n#{comp_uk.split(',')[0]}"])))
        if rng.random() < 0.45 and not youth:
            w = winner(0)
            posts.append(("УПЛ Live", 2, 15,
                          f"{H[0]} — {A[0]} {x}:{y}. " + (f"{w} здобуває перемогу в {mday} турі!" if w
                                                          else f"Нічия в матчі {mday} туру.")
                          + f"\n\nГоли: {scorers('uk')}"))
        if rng.random() < 0.6:
            posts.append(("Football Ukraine EN", 0, 8, rng.choice([
                f"FT: {enH}{u} {x}-{y} {enA}{u}",
                f"Full-time: {enH}{u} {x}–{y} {enA}{u} ({comp_en})\n⚽ {scorers('en')}"])))
        if rng.random() < 0.4:
            w = winner(1)
            if w:
                wl = S.pick("en", "club-" + (h if x > y else a), w)
                lo = enA if x > y else enH
                head = f"{wl}{u} beat {lo}{u} {max(x, y)}-{min(x, y)}"
            else:
                head = f"{enH}{u} and {enA}{u} draw {x}-{y}"
            body = (head + f" in the Ukrainian {comp_en} on {WEEKDAYS['en'][day.weekday()]}. "
                    + (" ".join(f"{p[1]} scored in the {ordinal(mi)} minute for {enH if s == 'h' else enA}{u}."
                                for mi, s, p in goals[:3]) or "Neither side found the net."))
            posts.append(("Eastern Europe Football Wire", 10, 40, (head, body)))
        if rng.random() < 0.5:
            w = winner(2)
            posts.append(("Футбол Украины | Онлайн", 0, 10, rng.choice([
                f"Матч завершён: {H[2]}{u} — {A[2]}{u} — {x}:{y}",
                f"⚽️ FT | {H[2]}{u} {x}:{y} {A[2]}{u}\n" + (f"{w} одерживает победу" if w else "Ничья") + f" ({comp_uk})"])))
        emit_posts(S, posts, t_ft, cl, "match", fallback="Футбол UA ⚽️",
                   fallback_text=f"FT: {H[0]}{u} {x}-{y} {A[0]}{u}")
        # half-time post: the same match, so the same cluster
        if rng.random() < 0.35:
            t_ht = t_ko + dt.timedelta(minutes=rng.randint(47, 50))
            ch = rng.choice(["Футбол UA ⚽️", "Football Ukraine EN", "Футбол Украины | Онлайн"])
            lang = CHANNELS[ch][0]
            txt = {"uk": f"HT: {H[0]}{u} {ht[0]}-{ht[1]} {A[0]}{u}",
                   "en": f"HT: {enH}{u} {ht[0]}-{ht[1]} {enA}{u}",
                   "ru": f"Перерыв: {H[2]}{u} — {A[2]}{u} — {ht[0]}:{ht[1]}"}[lang]
            S.add(ch, t_ht, None, txt, cl, "match")

# ---------------------------------------------------------------- main

def pick_window(rng):
    """A start day and length (2-3 days) that do not cross a Kyiv or New York DST change."""
    while True:
        start = dt.date(2024, 1, 8) + dt.timedelta(days=rng.randrange(700))
        days = rng.choice([2, 3, 3])
        end = start + dt.timedelta(days=days + 1)
        if kyiv_offset_h(start) == kyiv_offset_h(end) and ny_offset_h(start) == ny_offset_h(end):
            return start, days


def generate(seed):
    rng = random.Random(seed)
    start, days = pick_window(rng)
    off_h = kyiv_offset_h(start)
    start_local = dt.datetime.combine(start, dt.time(0, 0))
    S = Stream(rng, seed)
    nights = gen_alerts(S, days, start_local, off_h)
    gen_fx(S, days, start_local, off_h)
    gen_weather(S, days, start_local, off_h)
    gen_outages(S, days, start_local, off_h)
    gen_digests(S, days, start_local, off_h, nights)
    gen_football(S, days, start_local, off_h)
    # the stream covers [start 00:00, start+days 00:00) Kyiv time; drop posts outside it
    lo = (start_local - dt.timedelta(hours=off_h)).replace(tzinfo=UTC)
    hi = lo + dt.timedelta(days=days)
    items = sorted((it for it in S.items if lo <= it["_t"] < hi), key=lambda it: (it["_t"], it["source"]))
    out = []
    for n, it in enumerate(items, 1):
        out.append({"id": f"t{seed}-{n:04d}", "lang": it["lang"], "published": it["published"],
                    "source": it["source"], "title": it["title"], "text": it["text"], "cluster": it["cluster"]})
    return out, start, days


def summary(items):
    fam = Counter(it["cluster"].split(":")[1] for it in items)
    langs = Counter(it["lang"] for it in items)
    clusters = Counter(it["cluster"] for it in items)
    cl_fam = Counter(c.split(":")[1] for c in clusters)
    return fam, langs, clusters, cl_fam


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, nargs="+", default=[1], help="one or more seeds")
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)), help="output directory")
    args = ap.parse_args()
    for seed in args.seed:
        items, start, days = generate(seed)
        path = os.path.join(args.out, f"templates-{seed}.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for it in items:
                f.write(json.dumps(it, ensure_ascii=False) + "\n")
        fam, langs, clusters, cl_fam = summary(items)
        sizes = Counter(min(v, 5) for v in clusters.values())
        print(f"{path}: {len(items)} items, {len(clusters)} clusters, {start} +{days}d; "
              f"langs {dict(sorted(langs.items()))}")
        print("  items/family   ", dict(sorted(fam.items())))
        print("  clusters/family", dict(sorted(cl_fam.items())))
        print("  cluster sizes (5 = 5+)", dict(sorted(sizes.items())))


if __name__ == "__main__":
    main()
