"""What a name shown to other people may contain: one rule for user, team and organisation names,
challenge titles, and (stripped rather than refused) uploaded file names.

Why: a name is how people recognise each other. Invisible characters (zero-width spaces and
joiners), bidirectional controls (a right-to-left override turns `exe.pdf` into `fdp.exe` on
screen) and letters borrowed from another script (a Cyrillic `а` in "pаypal") let someone pose as
another team or disguise a file. So a name is normalised (NFKC: full-width and stylised letters
become plain ones), refused when it holds a control or format character or nothing visible, and
refused when one word mixes scripts with letters that look alike (the maintained
`confusable-homoglyphs` data). Names written wholly in Greek, Polish, Chinese, Japanese... stay
welcome: only a single word that mixes alphabets is refused."""
import re
import unicodedata

from confusable_homoglyphs import categories, confusables
from govchallenge.core.i18n import lazy_text as _l
from wtforms.validators import ValidationError

# Control (Cc), format (Cf: zero-width, bidi controls, soft hyphen...), private-use (Co),
# surrogate (Cs), line and paragraph separators (Zl, Zp).
HIDDEN_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"}
# Letters and marks that draw nothing although Unicode does not class them as format characters.
BLANK_LETTERS = set("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5")
# Scripts that one word legitimately mixes: Japanese writes Han with kana, Korean Han with Hangul.
MIXABLE_SCRIPTS = [{"HAN", "HIRAGANA", "KATAKANA"}, {"HAN", "HANGUL"}, {"HAN", "BOPOMOFO"}]
NEUTRAL_SCRIPTS = {"COMMON", "INHERITED"}
WORD = re.compile(r"\w+")


def normalise(value):
    """NFKC, trimmed, inner runs of spaces made one. A WTForms filter (None stays None)."""
    if not isinstance(value, str):
        return value
    return " ".join(unicodedata.normalize("NFKC", value).split())


# Letters that NFKD does not split into a base letter and a mark.
NOT_DECOMPOSED = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae", "Æ": "AE",
                                "œ": "oe", "Œ": "OE", "þ": "th", "ı": "i"})


def comparable(text):
    """`text` as compared when looking for a name: normalised, case-folded, without accents (Łódź and
    LODZ, Παπαδοπούλου and ΠΑΠΑΔΟΠΟΥΛΟΥ compare equal)."""
    decomposed = unicodedata.normalize("NFKD", normalise(text or "").translate(NOT_DECOMPOSED).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def hidden_characters(text):
    """The control and format characters in `text` (as U+XXXX codes), in order of appearance."""
    return [f"U+{ord(c):04X}" for c in text if unicodedata.category(c) in HIDDEN_CATEGORIES]


def is_blank(text):
    """True when nothing in `text` would be seen: only spaces, hidden characters and blank letters."""
    return all(c.isspace() or c in BLANK_LETTERS or unicodedata.category(c) in HIDDEN_CATEGORIES | {"Mn", "Me"}
               for c in text)


def _scripts(word):
    return {categories.alias(c) for c in word} - NEUTRAL_SCRIPTS


def look_alike_words(text):
    """Words that mix scripts and hold letters that imitate another script's (e.g. "pаypal")."""
    found = []
    for word in WORD.findall(text):
        scripts = _scripts(word)
        if len(scripts) < 2 or any(scripts <= allowed for allowed in MIXABLE_SCRIPTS):
            continue
        if confusables.is_confusable(word, greedy=False):
            found.append(word)
    return found


def problem(text):
    """A translated message saying why `text` may not be a name, or None when it may."""
    if hidden_characters(text):
        return _l("Remove the invisible or direction-changing characters (such as zero-width spaces or "
                  "right-to-left marks); they can make one name look like another.")
    if is_blank(text):
        return _l("Enter a name with visible letters or digits.")
    if look_alike_words(text):
        return _l("A word mixes letters of different alphabets that look alike (for example a Cyrillic "
                  "“а” among Latin letters), so it could imitate another name. Write each word in one alphabet.")
    return None


class ReadableName:
    """WTForms validator for every name field; pair it with `filters=[normalise]`."""

    def __call__(self, form, field):
        if field.data:
            message = problem(field.data)
            if message:
                raise ValidationError(message)


NAME_FILTERS = [normalise]
readable_name = ReadableName()


def clean_filename(name, default="file"):
    """An uploaded file's name fit to store and show: NFKC, no hidden characters (a right-to-left
    override would disguise the extension), no folders, no surrounding dots or spaces."""
    name = unicodedata.normalize("NFKC", name or "")
    name = "".join(c for c in name if unicodedata.category(c) not in HIDDEN_CATEGORIES)
    name = re.split(r"[\\/]", name)[-1].strip(" .")
    return name[:200] or default
