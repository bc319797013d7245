"""The words the toy model knows, written for this project as lists grouped by meaning.

Each group is (part of speech, semantic classes with their strengths, animacy,
words separated by spaces). `lexicon.py` turns the groups into one table; see
its docstring for how words in several groups and inflected forms are handled.
Words are lower case with a straight apostrophe, as `tokenizer.normalize` makes them.
"""

GROUPS = (
    # Nouns for living things: animacy 1 lets the coreference head prefer them.
    ("noun", {"animal": 1.0}, 1.0, """
        animal cat dog lion zebra tiger bear wolf fox horse cow pig sheep goat mouse mice rat
        rabbit bird eagle owl duck chicken hen goose geese fish shark whale dolphin snake frog
        monkey elephant giraffe deer bee ant spider butterfly puppy kitten pet insect camel
        kangaroo penguin parrot turtle squirrel bat donkey swan crow lamb crab salmon tuna
        turkey hamster worm"""),
    ("noun", {"person": 1.0}, 1.0, """
        person people man men woman women boy girl child children kid baby friend teacher
        student doctor nurse mother father mom dad brother sister son daughter parent king
        queen farmer chef cook driver player artist writer scientist officer soldier neighbour
        neighbor family team crowd guest stranger worker pilot singer lawyer judge baker
        hunter owner captain"""),
    # Animals that are also eaten. "dog" is here weakly, for "hot dog": the semantic
    # head lets "hot" pull that weak food sense forward.
    ("noun", {"food": 0.5}, 1.0, "dog"),
    ("noun", {"food": 0.8}, 1.0, "chicken duck fish turkey lamb crab salmon tuna"),
    ("noun", {"food": 1.0}, 0.0, """
        food bread apple banana orange soup pizza cake rice pasta cheese egg meat milk water
        coffee tea juice sandwich salad cookie pie butter sugar salt pepper chocolate burger
        fries breakfast lunch dinner meal fruit vegetable carrot potato tomato honey candy
        sauce noodle steak sausage toast cereal yogurt onion garlic lemon grape strawberry
        wine beer popcorn"""),
    ("noun", {"temperature": 0.5}, 0.0, "fire ice snow heat oven stove frost steam"),
    ("noun", {"place": 1.0}, 0.0, """
        street road house home school city town park garden room kitchen forest river lake
        sea ocean beach mountain hill field farm village country world office shop store
        market restaurant hospital library church bridge station airport island desert
        jungle zoo playground classroom yard cave valley hotel museum castle building
        floor wall roof corner"""),
    ("noun", {"time": 1.0}, 0.0, """
        day night morning evening afternoon week month year hour minute second today
        tomorrow yesterday tonight weekend summer winter spring autumn moment time"""),
    ("noun", {"object": 1.0}, 0.0, """
        ball book table chair door window car bus train bike boat plane phone computer bed
        box bag key cup plate knife fork spoon pen pencil paper letter picture clock lamp hat
        shoe shirt coat toy game bottle glass ring umbrella rope stick stone rock mat sofa
        blanket fence tree flower grass rain wind cloud star sun moon hand head eye ear nose mouth
        arm leg foot feet heart face hair tooth teeth trophy suitcase"""),
    ("noun", {"emotion": 1.0}, 0.0, "anger joy fear hope sadness happiness peace love"),
    ("noun", {}, 0.0, """
        idea story song music word name question answer problem reason plan news money job
        work life dream thing way part number fact lesson sentence"""),
    # Verbs, base and irregular forms; "-s", "-ed" and "-ing" forms are found by lookup.
    ("verb", {"action": 1.0}, 0.0, """
        sit sat walk run ran jump swim swam fly flew drink drank sleep slept hunt chase catch
        caught cross go went gone come came see saw seen look watch hear heard listen talk say
        said tell told speak spoke read write wrote written sing sang play work help make made
        take took taken give gave given get got find found know knew known think thought want
        need buy bought sell sold wash clean open close build built break broke broken fall
        fell climb throw threw carry bring brought push pull kill fight fought bite bit hide
        hid learn teach taught study live die grow grew stand stood lie lay wait stay leave
        left arrive enter meet met call ask try use start stop finish begin began win won lose
        lost laugh cry smile dance draw drew paint drive drove ride rode travel visit move turn
        kick hold held fit purr bark roar"""),
    ("verb", {"action": 1.0, "food": 0.5}, 0.0, "eat ate eaten cook taste feed fed"),
    ("verb", {"action": 1.0, "temperature": 1.0}, 0.0, "burn burnt boil fry bake freeze froze melt"),
    ("verb", {"emotion": 1.0}, 0.0, "love hate fear like enjoy worry miss"),
    ("verb", {}, 0.0, """
        be is am are was were been being have has had having do does did done will would can
        could shall should may might must didn't don't doesn't isn't wasn't aren't weren't
        can't cannot couldn't won't wouldn't shouldn't haven't hasn't hadn't"""),
    # Adjectives.
    ("adj", {"temperature": 1.0}, 0.0, "hot cold warm cool freezing icy boiling chilly frozen"),
    ("adj", {"temperature": 0.5, "food": 0.5}, 0.0, "spicy"),
    ("adj", {"color": 1.0}, 0.0, """
        black white red blue green yellow brown gray grey pink purple dark bright golden
        silver"""),
    ("adj", {"emotion": 1.0}, 0.0, """
        angry happy sad tired afraid scared brave calm peaceful lonely excited bored nervous
        proud jealous kind cruel gentle friendly sleepy lazy curious surprised worried glad
        upset mad furious cheerful grumpy anxious hungry thirsty"""),
    ("adj", {"food": 1.0}, 0.0, "delicious tasty sweet sour salty fresh ripe"),
    ("adj", {}, 0.0, """
        big small large tiny little huge tall short long old young new good bad fast slow
        quick heavy light soft hard loud quiet clean dirty wet dry rich poor beautiful ugly
        pretty strong weak easy difficult important strange same different full empty wild
        dangerous safe busy free sharp round deep next last"""),
    # Adverbs; "-ly" adverbs ("peacefully") are found by lookup from their adjective.
    ("adv", {}, 0.0, """
        very too quite really so not never always often sometimes usually already still just
        almost also again soon now then here there down up out away back off together well"""),
    ("det", {}, 0.0, """
        the a an this that these those every each some any no all both many much few several
        another other which what whose"""),
    ("pron", {"person": 1.0}, 1.0, """
        i me you he him she her we us who whom myself yourself himself herself ourselves
        someone somebody everyone everybody anyone nobody my your his our mine yours hers ours
        i'm you're he's she's we're i'll you'll he'll she'll we'll i've you've we've i'd
        you'd he'd she'd we'd"""),
    ("pron", {}, 0.5, "they them their theirs themselves they're they'll they've they'd"),
    ("pron", {}, 0.0, "it its itself it's it'll something everything nothing anything"),
    ("prep", {}, 0.0, """
        in on at to from with without by for of about under over above below behind between
        into onto through across around near after before during since until against along
        beside toward towards among inside outside past upon within"""),
    ("conj", {}, 0.0, "and or but because while although though if unless when whereas nor yet than whether as"),
    ("num", {}, 0.0, "one two three four five six seven eight nine ten hundred thousand million zero dozen"),
    ("punct", {}, 0.0, ". , ! ? ; : \" ' ( ) - — – … « »"),
    ("other", {}, 0.0, "yes hello hi oh please thanks okay ok"),
    # French words for the translation preset. Each shares the features of its English
    # translation, so a head that matches meanings aligns the two languages. "chat" is
    # only French here (the English verb is not in the lexicon).
    ("det", {}, 0.0, "le la les un une des"),
    ("noun", {"animal": 1.0}, 1.0, "chat chien souris"),
    ("adj", {"color": 1.0}, 0.0, "noir noire blanc blanche rouge"),
    ("adj", {"temperature": 1.0}, 0.0, "chaud chaude froid froide"),
    ("noun", {"food": 1.0}, 0.0, "soupe pain"),
    ("conj", {}, 0.0, "et"),
)
