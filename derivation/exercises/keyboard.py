"""What a learner types: the notebooks' signs read as Python's, and hints for unreadable text.

What lives here: :func:`normalize`, which reads the signs the notebooks
display (the minus sign ``−`` U+2212, ``×``, ``·``, ``⋅``, ``÷``, ``Θ``,
superscript and subscript digits) as ``-``, ``*``, ``/``, ``Theta``, ``**``
and plain digits; :func:`explain`, which says why a text that Python cannot
read is not a formula (``-h1 h2`` gets "write * between h1 and h2", ``h1^2``
gets "use **"); :func:`split_names`, which finds ``h1h2`` to be ``h1`` and
``h2`` written together; and :func:`quote`, which shortens what is quoted back
to the learner to at most 80 characters.

Nothing here evaluates the text: :func:`explain` only reads Python's tokens.
The parser itself is :mod:`derivation.exercises.parsing`.
"""

from __future__ import annotations

import io
import itertools
import keyword
import re
import tokenize
import unicodedata
from collections.abc import Iterable

__all__ = [
    "QUOTE_LENGTH",
    "between",
    "explain",
    "normalize",
    "power_of_a_letter",
    "quote",
    "side_by_side",
    "split_names",
]

QUOTE_LENGTH = 80  # characters of a learner's text quoted back at most

_SIGNS = {
    "\u2212": "-",  # − minus sign, as the notebooks print it
    "\u2013": "-",  # – en dash
    "\u00d7": "*",  # × multiplication sign
    "\u00b7": "*",  # · middle dot
    "\u22c5": "*",  # ⋅ dot operator
    "\u2217": "*",  # ∗ asterisk operator
    "\u2219": "*",  # ∙ bullet operator
    "\u2022": "*",  # • bullet
    "\u00f7": "/",  # ÷ division sign
    "\u0398": "Theta",  # Θ
    "\u03b8": "Theta",  # θ
    "\u00a0": " ",  # no-break space
    "\u2009": " ",  # thin space
    "\u202f": " ",  # narrow no-break space
    "\u200b": "",  # zero-width space, as copied from a web page
    "\u2060": "",  # word joiner
    "\ufeff": "",  # zero-width no-break space (a byte-order mark)
}
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+", strict=True))
_SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉", "0123456789", strict=True))
_OPERATORS = {"+", "-", "*", "/", "**"}
_BARE_POWER = re.compile(r"(h|y|x|Theta)\*\*")  # h¹: a letter that needs an index, raised


def normalize(text: str) -> str:
    """Read the signs a learner copies from the notebooks as Python's.

    ``−`` (U+2212) and ``–`` are ``-``; ``×``, ``·``, ``⋅`` and ``∗`` are
    ``*``; ``÷`` is ``/``; ``Θ`` and ``θ`` are ``Theta``; a run of superscript
    digits is a power (``h1²`` is ``h1**2``, ``h1⁻¹`` is ``h1**-1``); subscript
    digits are digits (``h₁`` is ``h1``, ``Θ₁₀`` is ``Theta10``); no-break and
    thin spaces are spaces, and zero-width spaces are dropped.  Then the text is
    put in Unicode's NFKC form, so that full-width signs (``－``, ``（``) are
    the plain ones.  Everything else is left as it is.

    Parameters
    ----------
    text : str
        The learner's answer (its length is bounded by the caller).

    Returns
    -------
    str

    Raises
    ------
    ValueError
        For a superscript sign with no digit after it (``h1⁻``).

    Examples
    --------
    >>> normalize("−h₁ × h₂")
    '-h1 * h2'
    >>> normalize("(h1 − y1)·x1 + h1² + Θ₁₀⁻¹")
    '(h1 - y1)*x1 + h1**2 + Theta10**-1'
    """
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char in _SUPERSCRIPTS:
            j = i
            while j < len(text) and text[j] in _SUPERSCRIPTS:
                j += 1
            power = "".join(_SUPERSCRIPTS[c] for c in text[i:j])
            if not power.lstrip("+-"):
                raise ValueError("a superscript sign needs a digit after it, as in h1⁻¹")
            out.append("**" + power)
            i = j
            continue
        out.append(_SUBSCRIPTS.get(char) or _SIGNS.get(char, char))
        i += 1
    return unicodedata.normalize("NFKC", "".join(out))


def quote(text: str, limit: int = QUOTE_LENGTH) -> str:
    """At most the first ``limit`` characters of ``text``, with ``…`` when it was longer.

    >>> quote("h1" * 50)[-3:], len(quote("h1" * 50))
    ('h1…', 81)
    >>> quote("-h1*h2")
    '-h1*h2'
    """
    return text if len(text) <= limit else text[:limit] + "…"


def split_names(word: str, known: Iterable[str]) -> list[str] | None:
    """``word`` as two or more known names written together (``h1h2``), or None.

    >>> split_names("h1h2", ["h1", "h2", "x1"])
    ['h1', 'h2']
    >>> split_names("h1q", ["h1"]) is None
    True
    """
    pattern = "|".join(re.escape(n) for n in sorted(known, key=len, reverse=True))
    parts = re.findall(pattern, word) if pattern else []
    return parts if len(parts) >= 2 and "".join(parts) == word else None


def explain(source: str, error: SyntaxError, known: Iterable[str] = ()) -> str:
    """Why Python cannot read ``source`` as a formula, as a hint a learner can act on.

    Reads Python's tokens of ``source`` (never evaluates them) and recognises
    two operands written side by side (``-h1 h2``, ``2h1``, ``(h1 - y1)(x1)``),
    ``^`` for a power, ``=``, an unclosed or unopened parenthesis, an operator
    at the end and a character that cannot be used; otherwise falls back to
    the name of Python's error.

    Parameters
    ----------
    source : str
        The normalized answer that :func:`ast.parse` rejected.
    error : SyntaxError
        What :func:`ast.parse` raised.
    known : iterable of str, optional
        The names an answer may use, so that names written together
        (``h2h1``) are quoted as the one next to the gap (``h2``).

    Returns
    -------
    str
        The reason, without the "cannot read the answer" prefix.

    Examples
    --------
    >>> explain("-h1 h2", SyntaxError("invalid syntax"))
    'write * between h1 and h2 (as in h1*h2): multiplication is never implicit'
    >>> explain("(h1 - y1", SyntaxError("'(' was never closed"))
    'a ( is not closed'
    >>> explain("h1 h2h1", SyntaxError("invalid syntax"), ["h1", "h2"])[:26]
    'write * between h1 and h2 '
    """
    tokens = _tokens(source)
    words = [t.string for t in tokens if t.type == tokenize.NAME]
    if any(keyword.iskeyword(w) for w in words):
        return f"this is not a formula Python can read: {type(error).__name__}"
    pair = _side_by_side(tokens, known)
    if pair is not None:
        return between(*pair)
    strings = [t.string for t in tokens]
    if "^" in strings:
        return "use ** for powers (as in h1**2), not ^"
    if "=" in strings or "==" in strings:
        return "type only the formula, without = (e.g. -h1*h2)"
    opened = source.count("(") - source.count(")")
    if opened > 0:
        return "a ( is not closed" if opened == 1 else f"{opened} ( are not closed"
    if opened < 0:
        return "a ) has no ( before it"
    if strings and strings[-1] in _OPERATORS:
        return f"the answer ends with {strings[-1]}: something is missing after it"
    message = getattr(error, "msg", "") or ""
    if message.startswith("invalid character"):
        return f"the answer has a character that cannot be used in a formula: {quote(message)}"
    if message.startswith("invalid non-printable character"):
        code = message.rsplit(" ", 1)[-1]
        return f"the answer has an invisible character ({quote(code, 10)}): delete it and retype"
    return f"this is not a formula Python can read: {type(error).__name__}"


def side_by_side(source: str, known: Iterable[str] = ()) -> tuple[str, str] | None:
    """The first two operands of ``source`` written with nothing between them, if any.

    A name followed by ``(`` is taken for a call (the parser judges the name).
    An operand raised to a power is quoted with its power (``h**1`` in
    ``h**1h**2``, which is how :func:`normalize` reads ``h¹h²``), and of names
    written together (``h2h1``, with ``known`` the names) the one next to the gap.

    >>> side_by_side("(h1 - y1)(x1)"), side_by_side("2h1"), side_by_side("exp(h1)")
    ((')', '('), ('2', 'h1'), None)
    >>> side_by_side("-h**1h**2"), side_by_side("h1 h2h1", ["h1", "h2"])
    (('h**1', 'h**2'), ('h1', 'h2'))
    """
    return _side_by_side(_tokens(source), known)


def between(left: str, right: str) -> str:
    """The hint for two operands written side by side: "write * between h1 and h2 ...".

    >>> between("h1", "(1 - h1)")
    'write * between h1 and (1 - h1) (as in h1*(1 - h1)): multiplication is never implicit'
    >>> between(")", "(")
    'write * between ) and ( (as in (h1 - y1)*(x1)): multiplication is never implicit'
    """
    if left in ("exp", "log"):
        return f"{left} needs parentheses: write {left}(...)"
    left, right = quote(left, 20), quote(right, 20)
    if (left, right) == (")", "("):
        example = "(h1 - y1)*(x1)"
    else:
        example = f"{left}*{right}" + ("...)" if right == "(" else "")
    hint = f"write * between {left} and {right} (as in {example}): multiplication is never implicit"
    letter = next((w for w in (left, right) if _BARE_POWER.match(w)), None)
    if letter is not None:
        hint += f"; and {power_of_a_letter(letter.split('**')[0])}"
    return hint


def power_of_a_letter(letter: str) -> str:
    """The note for a bare ``h``, ``y``, ``x`` or ``Theta``: a superscript is a power, not an index.

    >>> power_of_a_letter("h")
    'a superscript is a power (h¹ is h**1): write an index as h1 or h₁'
    """
    return (
        f"a superscript is a power ({letter}¹ is {letter}**1): "
        f"write an index as {letter}1 or {letter}₁"
    )


def _tokens(source: str) -> list[tokenize.TokenInfo]:
    """Python's tokens of ``source`` up to where the tokenizer gives up."""
    skip = {tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT,
            tokenize.ENDMARKER}  # fmt: skip
    found: list[tokenize.TokenInfo] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.ERRORTOKEN and token.string.isspace():
                continue
            if token.type not in skip:
                found.append(token)
    except (tokenize.TokenError, SyntaxError, ValueError):
        pass
    return found


def _operand_end(token: tokenize.TokenInfo) -> bool:
    if token.type == tokenize.NAME:
        return not keyword.iskeyword(token.string)
    return token.type == tokenize.NUMBER or token.string == ")"


def _operand_start(token: tokenize.TokenInfo) -> bool:
    if token.type == tokenize.NAME:
        return not keyword.iskeyword(token.string)
    return token.type == tokenize.NUMBER or token.string == "("


def _side_by_side(
    tokens: list[tokenize.TokenInfo], known: Iterable[str] = ()
) -> tuple[str, str] | None:
    """The first two operands written with nothing between them (see :func:`side_by_side`)."""
    known = list(known)
    strings = [t.string for t in tokens]
    for i, (before, after) in enumerate(itertools.pairwise(tokens)):
        if not (_operand_end(before) and _operand_start(after)):
            continue
        if after.string == "(" and before.type == tokenize.NAME:
            continue  # a call, such as exp(h1): the parser judges the name
        left, right = before.string, after.string
        if before.type == tokenize.NAME and (parts := split_names(left, known)):
            return parts[0], parts[1]  # the first gap is inside it: h2h1 h1
        if after.type == tokenize.NAME and (parts := split_names(right, known)):
            right = parts[0]
        # an operand raised to a power: h**1 in h**1h**2, h**-1 in h**-1h
        exponent = (
            next((j for j in (i - 1, i - 2) if j >= 0 and strings[j] == "**"), None)
            if before.type == tokenize.NUMBER
            else None
        )
        if exponent is not None and exponent >= 1 and _operand_end(tokens[exponent - 1]):
            if exponent == i - 1 or strings[i - 1] in ("-", "+"):
                left = "".join(strings[exponent - 1 : i + 1])
        if after.type == tokenize.NAME and strings[i + 2 : i + 3] == ["**"]:
            power = strings[i + 3 : i + 5]
            if power[:1] in (["-"], ["+"]):
                right = right + "**" + "".join(power[:2])
            elif power and tokens[i + 3].type == tokenize.NUMBER:
                right = right + "**" + power[0]
        return left, right
    return None
