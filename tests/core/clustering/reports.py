"""Reports the clustering tests share: the mutiny day's opening reports, two full articles of one
region's epidemic day, the labelled mutiny day itself, and `add`, which publishes a report minutes after T0."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.core.clustering import Report

T0 = datetime(2023, 6, 24, 6, 0, tzinfo=UTC)
DATA = Path(__file__).parent.parent.parent / "data"

ROSTOV_1 = ("Wagner fighters take control of military headquarters in Rostov-on-Don",
            "Prigozhin said his fighters controlled the Southern Military District headquarters in Rostov.")
ROSTOV_2 = ("Prigozhin's fighters seize Rostov military headquarters",
            "The Wagner chief said the headquarters of the Southern Military District in Rostov-on-Don was taken.")
ROSTOV_RU = ("Вагнеровцы заняли штаб Южного военного округа в Ростове",
             "Пригожин заявил, что его бойцы контролируют штаб Южного военного округа в Ростове-на-Дону.")
ROSTOV_UK = ("Вагнерівці захопили штаб Південного військового округу в Ростові",
             "Пригожин заявив, що його бійці контролюють штаб Південного військового округу в Ростові-на-Дону.")


def add(clusterer, n, item, minutes=0, story_id=None, source=None):
    title, text = item
    return clusterer.add(Report(n, title, text, T0 + timedelta(minutes=minutes), source=source), story_id=story_id)


def mutiny_reports() -> list[Report]:
    rows = [json.loads(line) for line in (DATA / "mutiny-day.jsonl").read_text(encoding="utf-8").splitlines()]
    rows.sort(key=lambda r: datetime.fromisoformat(r["published"]))
    return [Report(n, r["title"], r["text"], datetime.fromisoformat(r["published"]).astimezone(UTC),
                   source=r["source"]) for n, r in enumerate(rows)]


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


def lead_sentence(item: tuple[str, str]) -> tuple[str, str]:
    return item[0], item[1].split(". ")[0] + "."


# One agency's two reports of one protest: its call for order, and how many came (another event of it).
APPEAL = ("МВД Грузии призвало митингующих в Тбилиси соблюдать порядок",
          "Министерство внутренних дел Грузии призвало участников акции протеста у здания парламента в Тбилиси "
          "соблюдать общественный порядок и не перекрывать движение на проспекте Руставели.")
TURNOUT = ("На акцию в Тбилиси вышли 5,5 тысячи человек",
           "К вечеру у парламента Грузии собрались около 5,5 тысячи человек, по данным полиции, акция проходит мирно.")


def forecast(day: int, snow: str) -> tuple[str, str]:
    """A region's weather forecast for a day in November."""
    return (f"Прогноз погоды на {day} ноября",
            f"По информации Амурского ЦГМС, {day} ноября в западных районах Амурской области ожидается {snow}. "
            "Ветер северо-западный умеренный. Температура на севере области -16… -21°, на юге -10… -15°.")


ARSENAL = ("Arsenal to stream its 2004 title decider against Leicester on YouTube",
           "Arsenal will stream the full match against Leicester from May 2004, which sealed their unbeaten season, "
           "on the club's YouTube channel on Saturday at 19:00, the club said. Fans can watch it for free while the "
           "league is suspended.")
LIVERPOOL = ("Liverpool to stream its 2005 Champions League final against Milan on YouTube",
             "Liverpool will stream the full Champions League final against Milan from May 2005, which they won on "
             "penalties, on the club's YouTube channel on Saturday at 19:00, the club said. Fans can watch it for "
             "free while the league is suspended.")
