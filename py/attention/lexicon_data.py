"""The words the toy model knows, written for this project as lists grouped by meaning.

Each group is (part of speech, semantic classes with their strengths, animacy,
words separated by spaces). `lexicon.py` turns the groups into one table; see
its docstring for how words in several groups and inflected forms are handled.
MALE, FEMALE and PLURAL then mark grammatical gender and number, which the
coreference head uses to send "he" to "him" rather than to "her".
Words are lower case with a straight apostrophe, as `tokenizer.normalize` makes them.
"""

GROUPS = (
    # Nouns for living things: animacy 1 lets the coreference head prefer them.
    ("noun", {"animal": 1.0}, 1.0, """
        animal cat dog lion zebra tiger bear wolf fox horse cow pig sheep goat mouse mice rat
        rabbit bird eagle owl duck chicken hen goose geese fish shark whale dolphin snake frog
        monkey elephant giraffe deer bee ant spider butterfly puppy kitten pet insect camel
        kangaroo penguin parrot turtle squirrel bat donkey swan crow lamb crab salmon tuna
        turkey hamster worm
        cheetah leopard panda koala gorilla hippo rhino octopus seal otter beaver hedgehog
        lizard crocodile dinosaur beetle moth snail pigeon robin sparrow peacock ostrich
        bull ox calf pony chick cub bunny kitty hawk unicorn dragon"""),
    ("noun", {"person": 1.0}, 1.0, """
        person people man men woman women boy girl child children kid baby friend teacher
        student doctor nurse mother father mom dad brother sister son daughter parent king
        queen farmer chef cook driver player artist writer scientist officer soldier neighbour
        neighbor family team crowd guest stranger worker pilot singer lawyer judge baker
        hunter owner captain
        mum grandmother grandfather grandma grandpa uncle aunt cousin husband wife nephew
        niece boyfriend girlfriend lady gentleman sir madam mr mrs ms prince princess hero
        heroine actor actress waiter waitress policeman policewoman postman fireman
        adult teenager toddler pupil classmate principal professor engineer dentist
        firefighter police musician dancer poet author reader speaker visitor passenger
        customer shopkeeper boss manager leader president thief robber enemy partner sailor
        astronaut gardener carpenter mechanic programmer coach fan audience citizen villager
        learner instructor human"""),
    # First names, so "Tom said he was late" finds a person; MALE and FEMALE below give their gender.
    ("noun", {"person": 1.0}, 1.0, """
        tom john david peter paul james ben jack max leo adam noah harry oliver
        anna mary emma sarah lucy alice kate lisa mia sophie julia maria nina ella"""),
    # Animals that are also eaten. "dog" is here weakly, for "hot dog": the semantic
    # head lets "hot" pull that weak food sense forward.
    ("noun", {"food": 0.5}, 1.0, "dog"),
    ("noun", {"food": 0.8}, 1.0, "chicken duck fish turkey lamb crab salmon tuna"),
    ("noun", {"food": 1.0}, 0.0, """
        food bread apple banana orange soup pizza cake rice pasta cheese egg meat milk water
        coffee tea juice sandwich salad cookie pie butter sugar salt pepper chocolate burger
        fries breakfast lunch dinner meal fruit vegetable carrot potato tomato honey candy
        sauce noodle steak sausage toast cereal yogurt onion garlic lemon grape strawberry
        wine beer popcorn
        pear peach plum cherry melon watermelon pineapple mango berry cream jam ham bacon
        chips biscuit muffin pancake donut bean pea corn lettuce cucumber pumpkin nut peanut
        oil flour snack dessert soda lemonade broccoli spinach mushroom curry taco sushi
        bun crisps dish supper"""),
    ("noun", {"temperature": 0.5}, 0.0, "fire ice snow heat oven stove frost steam flame sunshine temperature"),
    ("noun", {"place": 1.0}, 0.0, """
        street road house home school city town park garden room kitchen forest river lake
        sea ocean beach mountain hill field farm village country world office shop store
        market restaurant hospital library church bridge station airport island desert
        jungle zoo playground classroom yard cave valley hotel museum castle building
        floor wall roof corner
        bank cafe cafeteria bakery factory prison theatre theater cinema stadium gym pool
        harbour harbor port coast shore path lane avenue square neighbourhood neighborhood
        continent planet sky earth land ground hall bathroom bedroom garage attic basement
        apartment tent camp nest barn pond stream waterfall volcano hole tunnel universe
        north south east west place area space"""),
    ("noun", {"time": 1.0}, 0.0, """
        day night morning evening afternoon week month year hour minute second today
        tomorrow yesterday tonight weekend summer winter spring autumn moment time
        date century decade season holiday birthday noon midnight dawn sunset sunrise
        future monday tuesday wednesday thursday friday saturday sunday january february
        april june july august september october november december"""),
    ("noun", {"object": 1.0}, 0.0, """
        ball book table chair door window car bus train bike boat plane phone computer bed
        box bag key cup plate knife fork spoon pen pencil paper letter picture clock lamp hat
        shoe shirt coat toy game bottle glass ring umbrella rope stick stone rock mat sofa
        blanket fence tree flower grass rain wind cloud star sun moon hand head eye ear nose mouth
        arm leg foot feet heart face hair tooth teeth trophy suitcase
        desk board whiteboard notebook eraser ruler scissors glue map ticket gift card coin
        wallet purse camera television tv radio screen keyboard laptop tablet machine robot
        engine wheel truck taxi ship rocket helicopter bicycle motorcycle van candle mirror
        brush comb soap towel bucket basket jar bowl pot pan kettle fridge sink shower
        pillow carpet curtain shelf drawer cupboard button bell drum guitar piano violin
        flute kite balloon doll puzzle sword shield crown jewel diamond gold necklace
        bracelet glove sock boot dress skirt jacket sweater scarf belt pocket bone feather
        leaf leaves branch seed root plant bush wood log sand mud dust smoke air shadow wave
        storm thunder lightning rainbow fog body finger toe knee neck shoulder stomach skin
        blood brain lip tongue wing tail paw claw fur horn beak shell calculator slider
        menu tab link page object"""),
    ("noun", {"emotion": 1.0}, 0.0, """
        anger joy fear hope sadness happiness peace love
        feeling emotion mood pride shame jealousy boredom loneliness delight grief panic
        excitement surprise fun"""),
    ("noun", {"color": 1.0}, 0.0, "colour color"),
    ("noun", {}, 0.0, """
        idea story song music word name question answer problem reason plan news money job
        work life dream thing way part number fact lesson sentence
        activity example homework test exam class grade chapter text language english french
        math maths science history art sport rule law war power energy mistake truth secret
        joke party meeting trip journey adventure race prize price cost choice chance effect
        result difference sort group list line side end top bottom middle half piece
        point shape size order step row column sum product pattern meaning context position
        signal output input layer model vector matrix token weight query value score
        attention formula function detail case purpose sense mind memory knowledge
        information program data internet website email message video photo image film
        movie death health luck safety danger trouble success friendship arithmetic
        subject noun verb adjective adverb pronoun grammar course front limit pair project
        stage state control cell self mask"""),
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
        kick hold held fit purr bark roar
        keep kept let put set send sent spend spent pay paid lend lent borrow show shown
        change choose chose chosen decide explain agree disagree remember forget forgot
        forgotten understand understood believe wish mean meant seem become became happen
        include continue follow lead led allow add compare describe check click press type
        drag copy paste count measure pick reach touch hit shoot shot fill pour cut chop mix
        stir serve shout scream whisper sigh yawn sneeze cough breathe smell hug kiss shake
        shook nod clap knock rang sung swing swung dig dug pack wear wore worn tie wrap hang
        hung spill drop lift pass share join collect save earn rent own belong rescue protect
        attack escape guide obey frighten thank invite welcome greet marry celebrate wake
        woke woken rest relax rise rose risen shine shone glow blow blew blown flow float
        sank sunk land crash roll bounce slide slid slip chew swallow lick growl meow buzz
        sting stung hatch weigh beat bend bent bleed forgive hurt leap prove quit seek sought
        shut spin spun split spread steal stole stolen stuck strike struck sweep swept tear
        tore torn wonder guess imagine notice realise realize recognise recognize suppose
        expect prefer practise practice repeat review discuss argue complain promise refuse
        accept offer suggest reply report return appear disappear vanish explore discover
        invent create design produce fix repair mend observe predict attend divide multiply
        compute solve resolve replace remove skip pause load switch point match remain matter"""),
    ("verb", {"action": 1.0, "food": 0.5}, 0.0, "eat ate eaten cook taste feed fed"),
    ("verb", {"action": 1.0, "temperature": 1.0}, 0.0, "burn burnt boil fry bake freeze froze melt"),
    ("verb", {"emotion": 1.0}, 0.0, "love hate fear like enjoy worry miss feel felt care"),
    ("verb", {}, 0.0, """
        be is am are was were been being have has had having do does did done will would can
        could shall should may might must didn't don't doesn't isn't wasn't aren't weren't
        can't cannot couldn't won't wouldn't shouldn't haven't hasn't hadn't let's"""),
    # Adjectives.
    ("adj", {"temperature": 1.0}, 0.0, """
        hot cold warm cool freezing icy boiling chilly frozen lukewarm scorching mild fiery
        sunny snowy"""),
    ("adj", {"temperature": 0.5, "food": 0.5}, 0.0, "spicy"),
    ("adj", {"color": 1.0}, 0.0, """
        black white red blue green yellow brown gray grey pink purple dark bright golden
        silver violet crimson scarlet ivory"""),
    ("adj", {"emotion": 1.0}, 0.0, """
        angry happy sad tired afraid scared brave calm peaceful lonely excited bored nervous
        proud jealous kind cruel gentle friendly sleepy lazy curious surprised worried glad
        upset mad furious cheerful grumpy anxious hungry thirsty
        sorry pleased delighted thankful grateful hopeful shocked confused embarrassed
        ashamed shy loyal fierce funny serious polite rude honest careful lucky"""),
    ("adj", {"food": 1.0}, 0.0, """
        delicious tasty sweet sour salty fresh ripe juicy crunchy crispy creamy bitter yummy
        stale rotten raw"""),
    ("adj", {}, 0.0, """
        big small large tiny little huge tall short long old young new good bad fast slow
        quick heavy light soft hard loud quiet clean dirty wet dry rich poor beautiful ugly
        pretty strong weak easy difficult important strange same different full empty wild
        dangerous safe busy free sharp round deep next last
        wide narrow thick thin flat high low far early late right wrong true false real fake
        smooth rough dull shiny sticky fluffy furry noisy silent clever smart stupid silly
        famous cheap expensive modern ancient special normal simple clear main whole own
        certain sure ready alive dead sick ill healthy fine nice lovely wonderful terrible
        horrible awful perfect fair correct possible impossible necessary useful
        interesting boring exciting amazing fat slim skinny giant enormous wooden metal
        straight tidy messy neat comfortable awake asleep alone tame scary rainy cloudy windy
        foggy stormy sudden better best worse worst more most less least equal exact
        similar single separate total plain general specific typical uniform neutral
        previous present independent linear final average nearby"""),
    # Adverbs; "-ly" adverbs ("peacefully") are found by lookup from their adjective.
    ("adv", {}, 0.0, """
        very too quite really so not never always often sometimes usually already still just
        almost also again soon now then here there down up out away back off together well
        later maybe perhaps even only instead ever once twice abroad everywhere somewhere
        anywhere nowhere upstairs downstairs forward backward ahead apart rather hardly
        enough else thus therefore however otherwise indeed anyway ago how why where nearly"""),
    ("det", {}, 0.0, """
        the a an this that these those every each some any no all both many much few several
        another other which what whose either neither such"""),
    ("pron", {"person": 1.0}, 1.0, """
        i me you he him she her we us who whom myself yourself himself herself ourselves
        someone somebody everyone everybody anyone nobody my your his our mine yours hers ours
        i'm you're he's she's we're i'll you'll he'll she'll we'll i've you've we've i'd
        you'd he'd she'd we'd yourselves whoever who's"""),
    ("pron", {}, 0.5, "they them their theirs themselves they're they'll they've they'd"),
    ("pron", {}, 0.0, """
        it its itself it's it'll something everything nothing anything that's what's there's
        here's whatever none"""),
    ("prep", {}, 0.0, """
        in on at to from with without by for of about under over above below behind between
        into onto through across around near after before during since until against along
        beside toward towards among inside outside past upon within
        beneath beyond despite except per plus minus via throughout underneath opposite till"""),
    ("conj", {}, 0.0, """
        and or but because while although though if unless when whereas nor yet than whether as
        whenever wherever"""),
    ("num", {}, 0.0, """
        one two three four five six seven eight nine ten hundred thousand million zero dozen
        eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty
        thirty forty fifty sixty seventy eighty ninety billion first third fourth fifth
        sixth seventh eighth ninth tenth"""),
    ("punct", {}, 0.0, ". , ! ? ; : \" ' ( ) - — – … « »"),
    ("other", {}, 0.0, "yes hello hi oh please thanks okay ok yeah wow oops ouch hey goodbye bye"),
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

# Grammatical gender, where English marks it. A word in neither list has no gender ("teacher", "it").
MALE = """
    he him his himself he's he'll he'd man men boy father dad brother son king prince husband
    uncle nephew grandfather grandpa boyfriend gentleman sir mr waiter actor policeman postman
    fireman hero tom john david peter paul james ben jack max leo adam noah harry oliver"""
FEMALE = """
    she her hers herself she's she'll she'd woman women girl mother mom mum sister daughter
    queen princess wife aunt niece grandmother grandma girlfriend lady madam mrs ms waitress
    actress policewoman heroine anna mary emma sarah lucy alice kate lisa mia sophie julia
    maria nina ella"""

# Grammatical number of pronouns and of plural nouns that do not end in -s ("lions" is found by lookup).
# Other nouns are singular; "you" and "who" can be either, so they have no number.
PLURAL = """
    we us our ours ourselves we're we'll we've we'd yourselves they them their theirs
    themselves they're they'll they've they'd these those people men women children mice
    geese feet teeth police leaves scissors"""
SINGULAR = """
    i me my mine myself i'm i'll i've i'd he him his himself he's he'll he'd she her hers
    herself she's she'll she'd it its itself it's it'll yourself someone somebody everyone
    everybody anyone nobody something everything nothing anything this that"""
