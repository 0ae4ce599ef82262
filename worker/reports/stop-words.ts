/**
 * Stop words for the common-concerns report, per language: function words, pronouns, the forms of
 * "to be" and "can", and what every chat opens with (greetings, thanks, "I have a question",
 * "help") — none of it says what the shop should fix. Written as people spell them; phrases.ts
 * normalises them like the messages (ё as е). Imported by phrases.ts only.
 */

const en = `a about above after again against all also am an and any are as at be because been before being below between both
but by can can't could did didn't do does doesn't doing don't done down during each few for from further get got had has have
having he her here hers him his how i i'd i'll i'm i've if in into is isn't it it's its just know let's like me more most my
no nor not now of off on once only or other our ours out over own same she should so some such than that that's the their
them then there there's these they this those through to too under until up very was wasn't we were what what's when where
which while who whom why will with won't would you you're your yours hi hello hey thanks thank please pls ok okay yes yeah
want need help question dont cant im still yet already hasn't haven't wouldn't couldn't aren't`;

const pl = `a aby albo ale bo by był była było były być chcę chciałabym chciałbym co czy dla do gdy gdzie go i ich ile ja jak jaka
jaki jakie je jego jej jest jestem jeszcze jeśli już ją kiedy kto która które który lub ma mam mi mnie mogę może można mój
moja moje mu my na nad nam nas nie niż o od oraz po pod ponieważ przez przy się sobie są ta tak także tam te tego ten też
to tu tylko tym u w we więc wy z za ze że żeby bardzo pan pani państwo proszę dziękuję dzięki dzień dobry witam cześć hej
pytanie pomoc pomóc`;

const fi = `ja on ei se että kun jos mutta tai niin kuin myös vain jo nyt vielä sitten siis vaan koska jotta kanssa minä mä sinä
sä hän me te he minun minulla minulle minua mulla mulle sinun sinulla teillä teidän meillä sen sitä siitä siihen sillä tämä
tämän tätä tässä tästä tuo ne niitä mikä mitä miten missä mistä mihin milloin kuka onko olen olet oli olisi olisiko ole ovat
olla voi voin voisi voisitteko voitteko haluan haluaisin pitää pitäisi saa saako en et emme ette eivät hei moi terve kiitos
kiitti hyvää päivää huomenta iltaa kysymys kysyä apua`;

const ru = `и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было вот от меня еще нет
о из ему когда даже ну ли если уже или ни быть был была были него до вас нибудь уж вам там потом себя ей может они тут где
есть надо ней для мы тебя их чем сам без чего тоже себе под будет тогда кто этот это этого этой эти эту того потому какой
какая какие здесь мой моя мои мое моего чтобы сейчас можно при об после над через нас про очень также хочу хотел хотела
подскажите скажите пожалуйста спасибо здравствуйте привет добрый день вечер утро помогите помочь вопрос`;

/** The union of the four lists: a shop's visitors write in any of them, often mixed. */
export const STOP_WORDS: readonly string[] = [en, pl, fi, ru].flatMap((list) => list.split(/\s+/));
