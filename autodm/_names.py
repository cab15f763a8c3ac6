"""Names and greetings: greeted names and weekdays masked, and messages that only greet."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = ["greeting_only"]

_GREETINGS: Final = frozenset(
    [
        "hi",
        "hey",
        "hello",
        "hiya",
        "heya",
        "yo",
        "dear",
        "thanks",
        "thx",
        "thank",
        "welcome",
        "hola",
        "olá",
        "oi",
        "bonjour",
        "salut",
        "coucou",
        "hallo",
        "servus",
        "ciao",
        "merhaba",
        "selam",
        "halo",
        "hai",
        "hej",
        "hii",
        "heyy",
        "howdy",
        "sup",
        "gm",
        "buenas",
        "moin",
        "привет",
        # Arabic greetings and the vocative "yā", often followed by a name in Latin letters.
        "مرحبا",
        "مرحباً",
        "أهلا",
        "أهلاً",
        "اهلا",
        "هلا",
        "يا",
    ]
)
# Capitalised words that follow a greeting without being a name ("Thank You", "Hi All").
# fmt: off
_NOT_NAMES: Final = frozenset(
    [
        "i", "me", "my", "we", "our", "you", "u", "your", "it", "its", "this", "that", "the", "a",
        "an", "and", "but", "so", "very", "for", "to", "again", "just", "how", "what", "hope",
        "is", "are", "do", "did", "can", "could", "would", "please", "sorry", "quick", "good",
        "great", "nice", "ok", "okay", "yes", "no", "all", "everyone", "everybody", "guys",
        "folks", "friends", "team", "there", "sir", "madam", "check", "see", "here", "have",
        "let", "love", "happy", "glad", "enjoy", "amazing", "awesome", "congrats",
        "congratulations", "much", "looking", "y'all",
        # The verbs and words a call to action opens with ("Hi Follow me back", "Hi there
        # Join my team"): taken for a name, they would hide the ask from the n-grams.
        "follow", "join", "subscribe", "click", "tap", "visit", "get", "grab", "claim", "free",
        "buy", "shop", "order", "earn", "win", "dm", "message", "text", "call", "contact",
        "download", "watch", "like", "share", "retweet", "rt", "sign", "register", "book",
        "learn", "discover", "start", "try", "use", "support", "hit", "turn", "don't", "dont",
        "limited", "exclusive", "new", "special", "last", "only", "flash", "sale", "deal",
        "deals", "offer", "promo", "discount",
        # Whom people greet besides a name: family, friends, a group, a term of endearment.
        # German capitalises every noun, and a greeting in any language may be followed by
        # one ("Hallo Mama", "Hola Chicos", "Merhaba Abi"): a name's placeholder there would
        # make a family message read as a template's greeting by name.
        "mom", "mum", "mommy", "dad", "daddy", "mama", "papa", "mami", "papi", "babe", "baby",
        "honey", "hun", "hon", "sweetie", "sweetheart", "darling", "bro", "bruh", "sis",
        "buddy", "dude", "man", "mate", "fam", "boss", "coach", "doc", "grandma", "grandpa",
        "granny", "nana", "auntie", "aunty", "uncle", "ladies", "gents", "gentlemen", "girls",
        "boys", "class", "neighbour", "neighbor", "friend", "people", "gang", "crew", "squad",
        # German and Dutch
        "zusammen", "leute", "schatz", "liebling", "liebe", "lieber", "freunde", "kollegen",
        "kolleginnen", "alle", "jungs", "mädels", "oma", "opa", "süße", "süßer", "chef",
        "allemaal", "jongens", "mam", "pap", "schat", "lieverd", "iedereen",
        # Spanish, Portuguese
        "mamá", "papá", "amigo", "amiga", "amigos", "amigas", "chicos", "chicas", "todos",
        "todas", "equipo", "cariño", "hermano", "hermana", "tío", "tía", "abuela", "abuelo",
        "gente", "jefe", "guapa", "guapo", "amor", "vecino", "vecina", "profe", "pessoal",
        "galera", "mãe", "pai", "querido", "querida", "chefe", "mano", "mana", "linda", "lindo",
        # French, Italian
        "maman", "chéri", "chérie", "tout", "tous", "amis", "amies", "ami", "amie", "équipe",
        "copain", "copine", "mamie", "papy", "voisin", "voisine", "ragazzi", "ragazze", "mamma",
        "papà", "amore", "tesoro", "tutti", "amici", "amico", "amica", "nonna", "nonno", "zio",
        "zia", "cara", "caro", "bella", "bello",
        # Turkish, Indonesian and Malay, Filipino
        "abi", "abla", "hocam", "hoca", "kanka", "arkadaşlar", "anne", "annem", "baba", "babam",
        "canım", "kardeşim", "herkes", "dostum", "semua", "teman", "kawan", "sayang", "gan",
        "bos", "po", "besh", "mare", "pare",
    ]
)
# fmt: on
#: Times of day, which greet ("Morning Sam", "Good evening Sam") only at the start of a
#: message or after "good": "this morning Click here" greets nobody.
_TIMES_OF_DAY: Final = frozenset(["morning", "afternoon", "evening"])
_WEEKDAYS: Final = frozenset(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
)
# Any greeting or weekday as a whole word: what _mask_names looks for, or a little more.
_NAME_HINT_RE: Final = re.compile(
    r"\b(?:"
    + "|".join(sorted(_GREETINGS | _WEEKDAYS | _TIMES_OF_DAY, key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)
#: Words between a greeting and the name it greets: "Hi there Sam", "Hello Mr Smith", "Hi
#: Dr. Lee", and titles in other languages ("Hallo Frau Schmidt", "Bonjour Madame Roux",
#: "Halo Kak Dewi", "Hi Ate Joy"). The name after them is masked; they stay words.
_BEFORE_NAMES: Final = frozenset(
    [
        *("there", "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "herr", "frau", "madame"),
        *("monsieur", "mme", "mlle", "señor", "señora", "señorita", "sr", "sra", "srta", "don"),
        *("doña", "signor", "signora", "signorina", "senhor", "senhora", "dona", "sayın", "pak"),
        *("bu", "ibu", "bapak", "kak", "kakak", "mas", "mbak", "bang", "abang", "dik", "om"),
        *("tante", "ate", "kuya", "tita", "tito", "heer", "mevrouw", "pan", "pani"),
    ]
)
# What _mask_names strips around a word, and a name glued to the next clause by a comma or
# colon with no space ("Hi Sam,loved it"; CJK text puts none after its full-width comma).
_NAME_EDGES: Final = ".,!?;:'\"()،、。؟"
_GLUED_NAME_RE: Final = re.compile(r"([^\W\d_]+(?:[-'’][^\W\d_]+)*)[,;:،、]")
#: Hyphens and apostrophes, which join the capitalised parts of a name ("Jean-Luc", "O'Brien").
_NAME_JOINERS: Final = str.maketrans("-’", "''")
#: A word in Latin letters where Chinese, Japanese and Korean put a name: after 你好 / 您好 /
#: 嗨, or before 你好 / 您好, さん or 님 ("你好Sam，", "Sam你好", "Samさん", "Sam님"), with no space
#: needed. Whether it is a name is decided as after a greeting (_looks_like_name). 様 is left
#: out: Japanese puts it after company names as often as after people's.
_CJK_NAME_RE: Final = re.compile(
    r"(?:(?<=[你您]好)|(?<=[你您]好 )|(?<=嗨)|(?<=嗨 ))([A-Za-z\u00c0-\u024f'’-]+)"
    r"|(?<![\w'’-])([A-Za-z\u00c0-\u024f'’-]+)(?= ?(?:[你您]好|さん|님))"
)
#: What ends a sentence, so that a greeting before it is not followed by a name (a title's
#: dot, the first, does not: _mask_names).
_SENTENCE_ENDS: Final = (".", "!", "?", "。", "؟")
#: Unicode categories of an emoji and its modifiers (other symbol, modifier symbol,
#: combining marks such as the emoji variation selector).
_EMOJI_CATEGORIES: Final = frozenset({"So", "Sk", "Mn"})


def _mask_names(masked: str) -> str:
    """Replace a capitalised word after a greeting ("Hi Maria,") and weekdays by placeholders.

    A greeting that ends its sentence ("Hi! Long time no see") is not followed by a name; an
    emoji, "there" or a title between the greeting and the name ("Hi 👋 Maria", "Hi there
    Maria", "Hello Mr. Smith") does not end it.
    """
    if not _NAME_HINT_RE.search(masked):
        return masked
    words = masked.split(" ")
    greeting = False  # the word before greets, so a name may come next
    before = ""
    for i, word in enumerate(words):
        core = word.strip(_NAME_EDGES)
        glued = None if _is_word(core) else _GLUED_NAME_RE.match(core)
        head = glued.group(1) if glued else core
        lowered = head.lower()
        if lowered in _WEEKDAYS:
            words[i] = word.replace(head, "<day>", 1 if glued else -1)
        elif greeting and _looks_like_name(head):
            words[i] = word.replace(head, "<name>", 1 if glued else -1)
            if word == core and not glued and _surname_follows(words, i + 1):
                # "Hi Sam Smith!": one name, so the greeting reads as with "Hi Sam!".
                surname = words[i + 1].strip(_NAME_EDGES)
                words[i] += words.pop(i + 1).replace(surname, "", 1)
        if greeting and _is_emoji(core):
            continue  # "Hi 👋 Maria": the emoji does not end the greeting
        tail = word.rstrip("'\")")
        # "Hi there Maria", "Hello Mr. Smith": the name is still to come, unless the word ends
        # the sentence ("Hi there! Long time"); a title's dot is no sentence end.
        if (
            greeting
            and lowered in _BEFORE_NAMES
            and not tail.endswith(_SENTENCE_ENDS if lowered == "there" else _SENTENCE_ENDS[1:])
        ):
            continue
        # A greeting that ends a sentence ("Hi!") is not followed by a name.
        current = core.lower()
        greeting = not tail.endswith(_SENTENCE_ENDS) and (
            current in _GREETINGS or (current in _TIMES_OF_DAY and (i == 0 or before == "good"))
        )
        before = current
    return " ".join(words)


def _surname_follows(words: list[str], j: int) -> bool:
    """Whether ``words[j]``, right after a name, is a surname: it looks like a name, is not
    in capitals, and ends the greeting ("Hi Sam Smith", "Hi Sam Smith, …", "Hi Anna Lee
    👋"). A capitalised word that goes on ("Hey Sam Bitcoin is up") is not one.

    Any other capitalised word that ends a greeting reads as a surname ("Hi Sam Crypto!"),
    as it reads as a name in the first place ("Hi Crypto!"); such a message says nothing
    more, no link, no call to action."""
    if j >= len(words):
        return False
    word = words[j]
    core = word.strip(_NAME_EDGES)
    if (
        not word.startswith(core)  # "(Smith)", "'Smith'"
        or not (_is_word(core) and _looks_like_name(core))
        or core.isupper()
        or core.lower() in _WEEKDAYS
    ):
        return False
    return word != core or j + 1 == len(words) or _is_emoji(words[j + 1])


def _is_word(word: str) -> bool:
    """Letters alone, or capitalised parts joined by hyphens or apostrophes ("Jean-Luc",
    "O'Brien"); not a contraction ("I'm", "I'M") or a possessive ("Sam's")."""
    if word.isalpha():
        return True
    parts = word.translate(_NAME_JOINERS).split("'")
    return (
        len(parts) > 1
        and not word.isupper()
        and all(p[:1].isupper() and p.isalpha() for p in parts)
        and all(len(p) > 1 for p in parts[1:])
    )


def _looks_like_name(word: str) -> bool:
    """A capitalised word, in a place where names go, that is not a greeting or one of the
    words that often follow one ("Thank You", "Hi All")."""
    lowered = word.lower()
    return (
        word[:1].isupper()
        and _is_word(word)
        and lowered not in _GREETINGS
        and lowered not in _NOT_NAMES
        and lowered not in _BEFORE_NAMES
        and lowered not in _TIMES_OF_DAY
    )


def _cjk_name(match: re.Match[str]) -> str:
    # The match is the word alone: the greeting or honorific is only looked at.
    return "<name>" if _looks_like_name(match.group(0)) else match.group(0)


def _is_emoji(word: str) -> bool:
    """Whether ``word`` is symbols alone ("👋", "❤️", "🙏🏽"), not punctuation (":)", "-")."""
    return (
        bool(word)
        and all(unicodedata.category(c) in _EMOJI_CATEGORIES for c in word)
        and any(unicodedata.category(c) == "So" for c in word)
    )


#: Salutations, for :func:`greeting_only`: words that open a conversation and say nothing
#: else: the greetings before a masked name but those that say more ("thanks", "welcome",
#: "dear", the vocative "yā"; the tanween forms never survive tokenising), and a few that
#: open a message on their own ("morning", "ola", and Russian, Persian, Chinese, Japanese
#: and Korean greetings).
_SALUTATIONS: Final = (
    _GREETINGS - {"dear", "thanks", "thx", "thank", "welcome", "يا", "مرحباً", "أهلاً"}
) | {
    "morning",
    "ola",
    "здравствуйте",
    "سلام",
    "你好",
    "您好",
    "嗨",
    "こんにちは",
    "안녕",
    "안녕하세요",
}
#: What may stand beside a salutation in a greeting: "there", a title, an honorific, "!" or
#: "?", and what is left of an emoticon (":D", ":P", "xD") or a kiss ("xx").
_GREETED: Final = frozenset(
    ["さん", "님", "!", "?", "d", "p", "xd", "xp", "x", "xx", "xo", *_BEFORE_NAMES]
)
#: A Korean name with the honorific 님 ("민준님"), which the text layer leaves as one word:
#: in a greeting alone it counts as the name ("안녕하세요 민준님!"). Not the addressees a
#: template writes when it has no name: customer, member, follower, subscriber, neighbour,
#: visitor, and God.
_HANGUL_NAME_RE: Final = re.compile("[\uac00-\ud7a3]{2,4}님")
_HANGUL_NOT_NAMES: Final = frozenset(
    ["고객님", "회원님", "팔로워님", "구독자님", "이웃님", "방문자님", "하느님", "하나님"]
)
#: Words (not "!" or "?") a greeting alone may hold: "hey hey there <name>".
_MAX_GREETING_WORDS: Final = 4


def greeting_only(tokens: tuple[str, ...]) -> bool:
    """Whether a message is a greeting and nothing else ("Hi Sam 👋", "hey there!").

    At least one salutation; besides it at most one name (``<name>``, which the text
    layer puts after a greeting it knows, or a Korean name with 님), "there", a title
    ("mr", "dr"), an honorific, "good" before "morning", "afternoon" or "evening", an
    emoticon's letter (":D"), and "!" or "?"; at most four words in all.
    Emoji and the symbols that are not tokens do not count; a handle, a link, a number
    or any other word makes it more than a greeting.

    Examples
    --------
    >>> greeting_only(("hi", "<name>")), greeting_only(("good", "evening", "!"))
    (True, True)
    >>> greeting_only(("hi", "<name>", "follow")), greeting_only(("<name>", "!"))
    (False, False)
    >>> greeting_only(("hey", "<name>", "hi", "<name>"))  # two names: not a greeting
    False
    """
    greeted = False
    names = words = 0
    previous = ""
    for token in tokens:
        if previous == "good" and token not in _TIMES_OF_DAY:
            return False
        if token in _SALUTATIONS or (previous == "good" and token in _TIMES_OF_DAY):
            greeted = True
        elif token == "<name>" or (
            _HANGUL_NAME_RE.fullmatch(token) and token not in _HANGUL_NOT_NAMES
        ):
            names += 1
        elif token == "good" or token in _GREETED:
            pass
        else:
            return False
        if token not in ("!", "?"):
            words += 1
        previous = token
    return greeted and names <= 1 and words <= _MAX_GREETING_WORDS and previous != "good"
