"""Build Damai's bundled demo data set from ``damai.demo.texts``.

The hand-written posts in :mod:`damai.demo.texts` are spread over three files, each in a real
platform export format, under ``src/damai/demo/data``:

- ``twitter_v2.jsonl``: Twitter API v2 full-archive search response pages as twarc2 writes them,
  one page of about 20 tweets per line, with ``includes`` (users, referenced tweets, places) and
  ``meta``;
- ``mastodon_statuses.json``: a JSON array of Mastodon ``Status`` entities, newest first;
- ``telegram_result.json``: a Telegram Desktop export (``result.json``) of one public channel.

Everything is derived from a fixed random seed, so the output is byte-identical on every run. All
accounts, ids, links and numbers are invented. Run::

    .venv/bin/python scripts/build_demo.py [--out DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Final

from damai.demo.texts import TEXTS, THEMES, Language, Theme, language_of

__all__ = ["DEFAULT_OUT", "FILES", "build", "main"]

ROOT: Final = Path(__file__).resolve().parents[1]
DEFAULT_OUT: Final = ROOT / "src" / "damai" / "demo" / "data"
TWITTER_FILE: Final = "twitter_v2.jsonl"
MASTODON_FILE: Final = "mastodon_statuses.json"
TELEGRAM_FILE: Final = "telegram_result.json"
FILES: Final = (TWITTER_FILE, MASTODON_FILE, TELEGRAM_FILE)

SEED: Final = 20261115
START: Final = datetime(2026, 11, 1, tzinfo=UTC)
END: Final = START + timedelta(days=14)
SHARES: Final = (("twitter", 0.45), ("mastodon", 0.30), ("telegram", 0.25))
PAGE_SIZE: Final = 20
WIB: Final = timezone(timedelta(hours=7))
TWITTER_EPOCH_MS: Final = 1288834974657
MASTODON_DOMAIN: Final = "sosial.example.id"
REMOTE_DOMAIN: Final = "kabar.example.org"
CHANNEL_NAME: Final = "Kabar Nusantara Terkini"
CHANNEL_ID: Final = 1893456721
NOT_INCLUDED: Final = "(File not included. Change data exporting settings to download.)"

# --- text scanning -------------------------------------------------------------------------------

_TOKEN: Final = re.compile(
    r"(?P<url>https?://[^\s]+?)(?=[.,!?)]*(?:\s|$))"
    r"|(?<![\w#])#(?P<tag>\w*[^\W\d_]\w*)"
    r"|(?<![\w@/])@(?P<user>[A-Za-z0-9_]{1,15})(?!\w)"
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "url" | "tag" | "user"
    start: int
    end: int
    value: str  # the url, the tag without "#", the handle without "@"


def scan(text: str) -> list[Token]:
    """Links, hashtags and @mentions in ``text``, in order, with code-point offsets."""
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        assert kind is not None
        tokens.append(Token(kind, match.start(), match.end(), match.group(kind)))
    return tokens


# --- places and events ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    lon: float
    lat: float
    pattern: re.Pattern[str]
    #: when something happened there (only for the invented disasters)
    event: datetime | None = None


def _place(name: str, lon: float, lat: float, words: str,
           event: datetime | None = None) -> Place:
    return Place(name, lon, lat, re.compile(rf"\b(?:{words})\b"), event)


def _t(day: int, hour: int, minute: int) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


#: first match wins, so the more specific places come first
PLACES: Final = (
    _place("Cianjur", 107.14, -6.82, "Cianjur|Cugenang|Prawatasari", _t(3, 6, 42)),
    _place("Sukabumi", 106.93, -6.92, "Sukabumi", _t(3, 6, 42)),
    _place("Palu", 119.87, -0.90, "Palu|Donggala|Mantikulore|Balaroa|Sulawesi Tengah",
           _t(5, 19, 10)),
    _place("Jakarta Timur", 106.90, -6.23,
           "Kampung Melayu|Ciliwung|Jakarta Timur|East Jakarta|Cipinang|Jatinegara|Bidara Cina",
           _t(7, 22, 0)),
    _place("Jakarta", 106.83, -6.20, "Jakarta|BanjirJakarta|Sudirman|Cawang", _t(7, 22, 0)),
    _place("Bekasi", 107.00, -6.24, "Bekasi|Pondok Gede", _t(7, 22, 0)),
    _place("Karawang", 107.30, -6.32, "Karawang|Jatiluhur"),
    _place("Sleman", 110.36, -7.72, "Merapi|Sleman|Cangkringan|Glagaharjo|Kepuharjo|Turi|Pakem",
           _t(9, 3, 15)),
    _place("Yogyakarta", 110.37, -7.80, "Jogja|Yogyakarta|Stasiun Tugu"),
    _place("Banjarnegara", 109.69, -7.40, "Banjarnegara|Pagentan|LongsorBanjarnegara",
           _t(11, 15, 0)),
    _place("Wonosobo", 109.90, -7.36, "Dieng"),
    _place("Mataram", 116.12, -8.58, "Mataram", _t(12, 13, 20)),
    _place("Lombok Utara", 116.25, -8.35, "Lombok|Gili Trawangan|Bangsal|GempaLombok",
           _t(12, 13, 20)),
    _place("Makassar", 119.43, -5.14, "Makassar|Butung", _t(8, 12, 30)),
    _place("Sidoarjo", 112.72, -7.45, "Sidoarjo", _t(10, 8, 0)),
    _place("Lumajang", 113.22, -8.13, "Semeru|Lumajang|Pronojiwo", _t(13, 1, 0)),
    _place("Padang", 100.36, -0.95, "Padang", _t(4, 10, 5)),
    _place("Banda Aceh", 95.32, 5.55, "Banda Aceh", _t(6, 0, 30)),
    _place("Palembang", 104.76, -2.98, "Palembang|Ogan Komering Ilir", _t(10, 2, 0)),
    _place("Bandung", 107.61, -6.91, "Bandung|MaungBandung"),
    _place("Bogor", 106.80, -6.60, "Bogor"),
    _place("Surabaya", 112.75, -7.25, "Surabaya"),
    _place("Garut", 107.90, -7.21, "Garut"),
    _place("Semarang", 110.42, -6.99, "Semarang"),
    _place("Ambon", 128.18, -3.70, "Ambon"),
    _place("Medan", 98.67, 3.59, "Medan"),
)
#: themes whose posts cluster in time after the event they mention
CLUSTERED: Final[tuple[Theme, ...]] = ("disaster", "hoax", "counter_speech")


def find_place(text: str) -> Place | None:
    for place in PLACES:
        if place.pattern.search(text):
            return place
    return None


# --- invented accounts ---------------------------------------------------------------------------

PERSONAS: Final[dict[Theme, tuple[tuple[str, str], ...]]] = {
    "radicalism": (
        ("fajar_akhir_id", "Suara Fajar"), ("abu_hanif_99", "Abu Hanif"),
        ("ikhwah_panji", "Ikhwah Panji"), ("negeri_janji01", "Negeri Janji"),
        ("ukhti_hijrah7", "Ukhti Hijrah"), ("penjaga_fajar", "Penjaga Fajar"),
    ),
    "sara": (
        ("pribumi_sejati", "Pribumi Sejati"), ("warga_asli88", "Warga Asli"),
        ("bang_jaelani", "Bang Jaelani"), ("emak_rempong7", "Emak Rempong"),
        ("sutoyo_kmpg", "Pak Sutoyo"),
    ),
    "hate_speech": (
        ("tukang_nyinyir", "Tukang Nyinyir"), ("bocah_tengil", "bocah tengil 😈"),
        ("si_paling_benar", "si paling benar"), ("anak_senja_x", "anak senja"),
        ("mas_galak", "Mas Galak"),
    ),
    "hoax": (
        ("info_viral_now", "INFO VIRAL NOW"), ("berita_kilat24", "Berita Kilat 24"),
        ("mama_rina_", "Mama Rina 🌹"), ("kabar_a1", "Kabar A1 Terpercaya"),
        ("pakde_broadcast", "Pakde Broadcast"),
    ),
    "disaster": (
        ("relawan_sigap", "Relawan Sigap"), ("posko_cugenang", "Posko Cugenang"),
        ("warga_palu_ok", "Warga Palu"), ("kabar_merapi", "Kabar Merapi"),
        ("banjir_watch", "Banjir Watch Jkt"), ("rina_cianjur", "Rina di Cianjur"),
        ("siaga_lombok", "Siaga Lombok"),
    ),
    "counter_speech": (
        ("duta_damai_mks", "Duta Damai Makassar"), ("muda_toleran", "Muda Toleran"),
        ("cek_fakta_kita", "Cek Fakta Kita"), ("ustadz_sejuk", "Ustadz Sejuk"),
        ("rumah_bhinneka", "Rumah Bhinneka"), ("pulang_damai", "Pulang Damai"),
    ),
    "ordinary": (
        ("dinda_rahma", "Dinda 🌻"), ("rian_balap", "Rian"),
        ("mahasiswa_lelah", "mahasiswa lelah"), ("kopi_senja22", "kopi senja"),
        ("bobotoh_sejati", "Bobotoh Sejati"), ("anak_kos_merana", "anak kos merana"),
        ("foodie_jogja", "Foodie Jogja"), ("kabar_kampus", "Kabar Kampus"),
    ),
}
GENERAL_PERSONAS: Final = (
    ("ayu_lestari_", "Ayu L."), ("bayu_pratama_", "Bayu"), ("nadia_putri03", "Nadia"),
    ("yogi_ardian", "Yogi A."), ("tante_ratna", "Tante Ratna"), ("om_herman", "Om Herman"),
    ("fikri_rmdhn", "Fikri R"), ("lia_ajaa", "lia"), ("dodi_gaming", "Dodi Gaming"),
    ("wulan_kirana", "Wulan"), ("andre_strs", "Andre S"), ("mega_nur", "Mega"),
)
#: accounts that only appear as @mentions
MENTIONED_PERSONAS: Final = (("kang_sotoy", "Kang Sotoy"), ("mbak_lala", "Mbak Lala ✨"))
#: Mastodon accounts that live on another instance
REMOTE_USERS: Final = frozenset({"cek_fakta_kita", "berita_kilat24", "siaga_lombok"})

DISPLAY_NAMES: Final[dict[str, str]] = {
    handle: name
    for group in (*PERSONAS.values(), GENERAL_PERSONAS, MENTIONED_PERSONAS)
    for handle, name in group
}


def _digest(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("\x1f".join(parts).encode()).digest()[:8], "big")


def account_created(handle: str) -> datetime:
    """When an invented account was created: a fixed day between 2012 and 2025."""
    return datetime(2012, 1, 1, tzinfo=UTC) + timedelta(days=_digest("created", handle) % 5000)


# --- posts ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class Item:
    """One demo text placed on one platform."""

    theme: Theme
    text: str
    language: Language
    platform: str
    created: datetime
    author: str
    place: Place | None
    parent: Item | None = None
    relation: str | None = None  # "replied_to" | "quoted"
    children: list[Item] = field(default_factory=list)
    id: str = ""


def _theme_groups() -> dict[Theme, list[str]]:
    groups: dict[Theme, list[str]] = {theme: [] for theme in THEMES}
    for theme, text in TEXTS:
        groups[theme].append(text)
    return groups


def _when(rng: random.Random, theme: Theme, place: Place | None) -> datetime:
    if place is not None and place.event is not None and theme in CLUSTERED:
        scale = {"disaster": 6 * 3600.0, "hoax": 18 * 3600.0}.get(theme, 30 * 3600.0)
        delay = 90 + min(rng.expovariate(1 / scale), 60 * 3600.0)
        moment = place.event + timedelta(seconds=int(delay))
    else:
        moment = START + timedelta(seconds=rng.randrange(int((END - START).total_seconds())))
    return min(moment, END - timedelta(seconds=1))


def _author(rng: random.Random, theme: Theme, text: str) -> str:
    while True:
        if theme == "radicalism" or rng.random() < 0.75:
            handle = rng.choice(PERSONAS[theme])[0]
        else:
            handle = rng.choice(GENERAL_PERSONAS)[0]
        if f"@{handle}" not in text:
            return handle


def distribute(rng: random.Random) -> list[Item]:
    """Place every text on a platform (stratified by theme), give it a time and an author."""
    items: list[Item] = []
    for theme, texts in _theme_groups().items():
        order = list(texts)
        rng.shuffle(order)
        cut_twitter = round(len(order) * SHARES[0][1])
        cut_mastodon = cut_twitter + round(len(order) * SHARES[1][1])
        for position, text in enumerate(order):
            platform = ("twitter" if position < cut_twitter
                        else "mastodon" if position < cut_mastodon else "telegram")
            place = find_place(text)
            items.append(Item(theme=theme, text=text, language=language_of(text),
                              platform=platform, created=_when(rng, theme, place),
                              author=_author(rng, theme, text), place=place))
    return items


_WORD: Final = re.compile(r"[^\W\d_]{4,}")


def _words(text: str) -> set[str]:
    return {word.lower() for word in _WORD.findall(text)}


def _most_similar(rng: random.Random, child: Item, candidates: Sequence[Item]) -> Item | None:
    if not candidates:
        return None
    words = _words(child.text)
    scored = [(len(words & _words(c.text)), rng.random(), c) for c in candidates]
    return max(scored, key=lambda entry: (entry[0], entry[1]))[2]


#: what a counter-speech post answers, judged from its words (first match wins)
_ANSWERS: Final[tuple[tuple[re.Pattern[str], Theme], ...]] = (
    (re.compile(r"hina|ujaran kebencian|ngejek|kritik", re.I), "hate_speech"),
    (re.compile(r"hoaks|sumber resmi|bansos|tsunami|OTP|azab|BMKG", re.I), "hoax"),
    (re.compile(r"hijrah|jihad|radikal|Pancasila|kekerasan|thaghut|konflik|kajian", re.I),
     "radicalism"),
    (re.compile(r"agama|suku|minoritas|toleransi", re.I), "sara"),
)
_QUOTES: Final = re.compile(r"^(HOAKS|Klarifikasi)|CekDuluBaruSebar|sumber resmi|Cek dulu")
_ADDRESSES: Final = re.compile(r"\b(lo|lu)\b", re.I)


def link_conversations(rng: random.Random, items: list[Item], platform: str, *,
                       max_replies: int, max_quotes: int, harass: bool = True) -> None:
    """Turn some posts into replies (and quotes) to earlier posts on the same platform.

    Counter-speech answers harmful posts (debunks quote the hoax when ``max_quotes`` allows);
    with ``harass``, a few abusive posts answer ordinary ones. A reply is moved in time to
    minutes or hours after its parent.
    """
    here = [item for item in items if item.platform == platform]
    replies = quotes = 0
    for child in here:
        target: Theme | None = None
        relation = "replied_to"
        if child.theme == "counter_speech":
            if _QUOTES.search(child.text) and quotes < max_quotes:
                target, relation = "hoax", "quoted"
            else:
                target = next((theme for pattern, theme in _ANSWERS
                               if pattern.search(child.text)), None)
        elif harass and child.theme == "hate_speech" and _ADDRESSES.search(child.text):
            target = "ordinary"
        if target is None or (relation == "replied_to" and replies >= max_replies):
            continue
        if relation == "replied_to" and rng.random() < 0.35:
            continue
        candidates = [c for c in here if c.theme == target and c.parent is None
                      and c.author != child.author and c.created < END - timedelta(hours=6)]
        parent = _most_similar(rng, child, candidates)
        if parent is None:
            continue
        child.parent, child.relation = parent, relation
        parent.children.append(child)
        child.created = parent.created + timedelta(seconds=rng.randrange(600, 6 * 3600))
        if relation == "quoted":
            quotes += 1
        else:
            replies += 1


# --- Twitter API v2 ------------------------------------------------------------------------------

_TWITTER_LANG: Final[dict[Language, str]] = {"id": "in", "en": "en", "jv": "und", "ms": "in"}
_ALNUM: Final = string.ascii_letters + string.digits


def snowflake(moment: datetime, rng: random.Random) -> str:
    millis = int(moment.timestamp() * 1000) + rng.randrange(1000)
    return str(((millis - TWITTER_EPOCH_MS) << 22) | rng.getrandbits(22))


def twitter_user_id(handle: str) -> str:
    return str(10**17 + _digest("twitter-user", handle) % (9 * 10**18))


def twitter_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def twitter_user(handle: str) -> dict[str, Any]:
    digest = _digest("twitter-metrics", handle)
    return {
        "id": twitter_user_id(handle),
        "name": DISPLAY_NAMES[handle],
        "username": handle,
        "created_at": twitter_time(account_created(handle)),
        "verified": False,
        "protected": False,
        "public_metrics": {
            "followers_count": 40 + digest % 9000,
            "following_count": 30 + (digest >> 16) % 1500,
            "tweet_count": 200 + (digest >> 32) % 30000,
            "listed_count": (digest >> 48) % 40,
            "like_count": 100 + (digest >> 8) % 20000,
        },
    }


def twitter_place_id(place: Place) -> str:
    return hashlib.sha256(f"place:{place.name}".encode()).hexdigest()[:16]


def twitter_place(place: Place) -> dict[str, Any]:
    bbox = [round(place.lon - 0.15, 6), round(place.lat - 0.12, 6),
            round(place.lon + 0.15, 6), round(place.lat + 0.12, 6)]
    return {
        "id": twitter_place_id(place),
        "full_name": f"{place.name}, Indonesia",
        "name": place.name,
        "country": "Indonesia",
        "country_code": "ID",
        "place_type": "city",
        "geo": {"type": "Feature", "bbox": bbox, "properties": {}},
    }


def _display_url(url: str) -> str:
    bare = re.sub(r"^https?://(www\.)?", "", url)
    return bare if len(bare) <= 26 else bare[:25] + "…"


def twitter_text(rng: random.Random, text: str) -> tuple[str, dict[str, str]]:
    """``text`` with each link replaced by a t.co link; returns the text and t.co → original."""
    links: dict[str, str] = {}
    out: list[str] = []
    last = 0
    for token in scan(text):
        if token.kind != "url":
            continue
        short = "https://t.co/" + "".join(rng.choice(_ALNUM) for _ in range(10))
        links[short] = token.value
        out.append(text[last:token.start] + short)
        last = token.end
    out.append(text[last:])
    return "".join(out), links


def twitter_entities(text: str, links: dict[str, str]) -> dict[str, Any]:
    hashtags: list[dict[str, Any]] = []
    mentions: list[dict[str, Any]] = []
    urls: list[dict[str, Any]] = []
    for token in scan(text):
        if token.kind == "tag":
            hashtags.append({"start": token.start, "end": token.end, "tag": token.value})
        elif token.kind == "user":
            mentions.append({"start": token.start, "end": token.end, "username": token.value,
                             "id": twitter_user_id(token.value)})
        else:
            expanded = links[token.value]
            urls.append({"start": token.start, "end": token.end, "url": token.value,
                         "expanded_url": expanded, "display_url": _display_url(expanded)})
    entities: dict[str, Any] = {}
    for key, values in (("hashtags", hashtags), ("mentions", mentions), ("urls", urls)):
        if values:
            entities[key] = values
    return entities


_AMPLIFY: Final[dict[Theme, float]] = {
    "radicalism": 12, "sara": 25, "hate_speech": 10, "hoax": 90, "disaster": 70,
    "counter_speech": 30, "ordinary": 15,
}


@dataclass(slots=True)
class Tweet:
    """A tweet object under construction, with the tweets it references."""

    id: str
    created: datetime
    author: str
    text: str
    data: dict[str, Any]
    place: Place | None = None
    referenced: list[Tweet] = field(default_factory=list)


def _public_metrics(rng: random.Random, theme: Theme, replies: int, quotes: int,
                    retweets: int) -> dict[str, int]:
    scale = _AMPLIFY[theme]
    likes = int(rng.expovariate(1 / (scale * 2)))
    return {
        "retweet_count": retweets + int(rng.expovariate(1 / scale)),
        "reply_count": replies + int(rng.expovariate(1 / (scale / 4))),
        "like_count": likes,
        "quote_count": quotes + int(rng.expovariate(1 / (scale / 10))),
        "bookmark_count": int(likes * rng.random() / 5),
        "impression_count": 50 + likes * rng.randrange(20, 90) + rng.randrange(400),
    }


def build_twitter(rng: random.Random, items: list[Item]) -> list[dict[str, Any]]:
    here = sorted((i for i in items if i.platform == "twitter"), key=lambda i: i.created)
    users: dict[str, dict[str, Any]] = {}  # by user id
    tweets: dict[int, Tweet] = {}  # by id() of the item

    def user(handle: str) -> str:
        record = twitter_user(handle)
        users.setdefault(record["id"], record)
        return str(record["id"])

    for item in here:
        item.id = snowflake(item.created, rng)
    for item in here:
        text = item.text
        if item.relation == "replied_to" and item.parent is not None:
            text = f"@{item.parent.author} {text}"
        text, links = twitter_text(rng, text)
        data: dict[str, Any] = {"id": item.id, "text": text,
                                "edit_history_tweet_ids": [item.id],
                                "author_id": user(item.author),
                                "created_at": twitter_time(item.created),
                                "conversation_id": item.id}
        referenced: list[Tweet] = []
        if item.parent is not None:
            parent = tweets[id(item.parent)]
            referenced.append(parent)
            data["referenced_tweets"] = [{"type": item.relation, "id": parent.id}]
            if item.relation == "replied_to":
                data["conversation_id"] = parent.data["conversation_id"]
                data["in_reply_to_user_id"] = parent.data["author_id"]
        data["lang"] = _TWITTER_LANG[item.language]
        data["possibly_sensitive"] = False
        data["reply_settings"] = "everyone"
        entities = twitter_entities(text, links)
        for mention in entities.get("mentions", []):
            user(mention["username"])
        if entities:
            data["entities"] = entities
        place: Place | None = None
        if item.place is not None and rng.random() < (0.8 if item.theme == "disaster" else 0.35):
            place = item.place
        elif item.place is None and rng.random() < 0.06:
            place = rng.choice(PLACES)
        if place is not None:
            data["geo"] = {"place_id": twitter_place_id(place)}
        tweets[id(item)] = Tweet(item.id, item.created, item.author, text, data, place,
                                 referenced)

    # retweets: extra tweets by other accounts, a little later than the original; disaster
    # reports and hoaxes are the ones that spread
    all_tweets = list(tweets.values())
    retweet_counts: dict[int, int] = {}
    retweets: list[Tweet] = []
    for item in here:
        original = tweets[id(item)]
        rt_text = f"RT @{item.author}: {original.text}"
        if (item.theme not in ("disaster", "hoax") or item.parent is not None
                or len(rt_text) > 140 or rng.random() < 0.6):
            continue
        for _ in range(rng.randrange(1, 4)):
            author = rng.choice(GENERAL_PERSONAS + PERSONAS[item.theme])[0]
            if author == item.author:
                continue
            created = min(item.created + timedelta(seconds=rng.randrange(120, 20 * 3600)),
                          END - timedelta(seconds=1))
            tweet_id = snowflake(created, rng)
            data = {"id": tweet_id, "text": rt_text, "edit_history_tweet_ids": [tweet_id],
                    "author_id": user(author), "created_at": twitter_time(created),
                    "conversation_id": tweet_id,
                    "referenced_tweets": [{"type": "retweeted", "id": original.id}],
                    "lang": original.data["lang"], "possibly_sensitive": False,
                    "reply_settings": "everyone",
                    "entities": twitter_entities(rt_text, _links_of(original.data))}
            retweet_counts[id(item)] = retweet_counts.get(id(item), 0) + 1
            retweets.append(Tweet(tweet_id, created, author, rt_text, data, None, [original]))

    # metrics last, so the counts cover the replies, quotes and retweets in the data
    for item in here:
        replies = sum(1 for c in item.children if c.relation == "replied_to")
        quotes = sum(1 for c in item.children if c.relation == "quoted")
        tweets[id(item)].data["public_metrics"] = _public_metrics(
            rng, item.theme, replies, quotes, retweet_counts.get(id(item), 0))
    for retweet in retweets:
        retweet.data["public_metrics"] = {
            "retweet_count": retweet.referenced[0].data["public_metrics"]["retweet_count"],
            "reply_count": 0, "like_count": 0, "quote_count": 0, "bookmark_count": 0,
            "impression_count": 0}
    all_tweets.extend(retweets)
    all_tweets.sort(key=lambda t: (t.created, int(t.id)), reverse=True)
    return _twitter_pages(rng, all_tweets, users)


def _twitter_pages(rng: random.Random, all_tweets: list[Tweet],
                   users: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    query = ("expansions=author_id%2Creferenced_tweets.id%2Creferenced_tweets.id.author_id"
             "%2Centities.mentions.username%2Cin_reply_to_user_id%2Cgeo.place_id"
             "&tweet.fields=author_id%2Cconversation_id%2Ccreated_at%2Centities%2Cgeo%2Clang"
             "%2Cpublic_metrics%2Creferenced_tweets%2Cpossibly_sensitive%2Creply_settings"
             "&user.fields=created_at%2Cprotected%2Cpublic_metrics%2Cverified"
             "&place.fields=country%2Ccountry_code%2Cfull_name%2Cgeo%2Cname%2Cplace_type"
             "&query=lang%3Ain+OR+lang%3Aen+OR+lang%3Aund&max_results=20"
             f"&start_time={twitter_time(START)}&end_time={twitter_time(END)}")
    pages: list[dict[str, Any]] = []
    for first in range(0, len(all_tweets), PAGE_SIZE):
        chunk = all_tweets[first:first + PAGE_SIZE]
        page_users: dict[str, dict[str, Any]] = {}
        page_tweets: dict[str, dict[str, Any]] = {}
        page_places: dict[str, dict[str, Any]] = {}
        for tweet in chunk:
            for shown in (tweet, *tweet.referenced):
                if shown is not tweet:
                    page_tweets.setdefault(shown.id, shown.data)
                user_ids = [shown.data["author_id"]]
                if "in_reply_to_user_id" in shown.data:
                    user_ids.append(shown.data["in_reply_to_user_id"])
                user_ids += [m["id"] for m in shown.data.get("entities", {}).get("mentions", [])]
                for user_id in user_ids:
                    page_users.setdefault(user_id, users[user_id])
                if shown.place is not None:
                    page_places.setdefault(shown.place.name, twitter_place(shown.place))
        includes: dict[str, Any] = {"users": list(page_users.values())}
        if page_tweets:
            includes["tweets"] = list(page_tweets.values())
        if page_places:
            includes["places"] = list(page_places.values())
        meta: dict[str, Any] = {"newest_id": chunk[0].id, "oldest_id": chunk[-1].id,
                                "result_count": len(chunk)}
        if first + PAGE_SIZE < len(all_tweets):
            meta["next_token"] = "".join(
                rng.choice(string.ascii_lowercase + string.digits) for _ in range(32))
        url = "https://api.twitter.com/2/tweets/search/all?" + query
        if pages:
            url += "&next_token=" + pages[-1]["meta"]["next_token"]
        pages.append({"data": [tweet.data for tweet in chunk], "includes": includes,
                      "meta": meta,
                      "__twarc": {"url": url, "version": "2.14.0",
                                  "retrieved_at": "2026-11-15T02:00:00+00:00"}})
    return pages


def _links_of(data: dict[str, Any]) -> dict[str, str]:
    return {u["url"]: u["expanded_url"] for u in data.get("entities", {}).get("urls", [])}


# --- Mastodon ------------------------------------------------------------------------------------


def _html(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def mastodon_account_url(handle: str) -> str:
    domain = REMOTE_DOMAIN if handle in REMOTE_USERS else MASTODON_DOMAIN
    return f"https://{domain}/@{handle}"


def mastodon_account_id(handle: str) -> str:
    millis = int(account_created(handle).timestamp() * 1000)
    return str((millis << 16) | (_digest("mastodon-account", handle) & 0xFFFF))


def _link_html(url: str) -> str:
    match = re.match(r"(https?://(?:www\.)?)(.*)", url)
    assert match is not None
    prefix, rest = match.groups()
    display, tail, css = (rest[:30], rest[30:], "ellipsis") if len(rest) > 30 else (rest, "", "")
    return (f'<a href="{_html(url)}" target="_blank" rel="nofollow noopener" translate="no">'
            f'<span class="invisible">{_html(prefix)}</span>'
            f'<span class="{css}">{_html(display)}</span>'
            f'<span class="invisible">{_html(tail)}</span></a>')


def mastodon_content(text: str) -> str:
    """``text`` as the HTML Mastodon stores: paragraphs, ``<br>``, linked tags and mentions."""
    paragraphs: list[str] = []
    for paragraph in text.split("\n\n"):
        parts: list[str] = []
        last = 0
        for token in scan(paragraph):
            parts.append(_html(paragraph[last:token.start]))
            if token.kind == "url":
                parts.append(_link_html(token.value))
            elif token.kind == "tag":
                parts.append(f'<a href="https://{MASTODON_DOMAIN}/tags/{token.value}" '
                             f'class="mention hashtag" rel="tag">#<span>{_html(token.value)}'
                             "</span></a>")
            else:
                parts.append(f'<span class="h-card" translate="no"><a href="'
                             f'{mastodon_account_url(token.value)}" class="u-url mention">'
                             f"@<span>{token.value}</span></a></span>")
            last = token.end
        parts.append(_html(paragraph[last:]))
        paragraphs.append("<p>" + "".join(parts).replace("\n", "<br>") + "</p>")
    return "".join(paragraphs)


def mastodon_account(handle: str, last_status: datetime, statuses: int) -> dict[str, Any]:
    remote = handle in REMOTE_USERS
    domain = REMOTE_DOMAIN if remote else MASTODON_DOMAIN
    digest = _digest("mastodon-metrics", handle)
    media = f"https://{MASTODON_DOMAIN}"
    return {
        "id": mastodon_account_id(handle),
        "username": handle,
        "acct": f"{handle}@{REMOTE_DOMAIN}" if remote else handle,
        "display_name": DISPLAY_NAMES[handle],
        "locked": False,
        "bot": False,
        "discoverable": True,
        "group": False,
        "created_at": account_created(handle).strftime("%Y-%m-%dT00:00:00.000Z"),
        "note": "",
        "url": f"https://{domain}/@{handle}",
        "uri": f"https://{domain}/users/{handle}",
        "avatar": f"{media}/avatars/original/missing.png",
        "avatar_static": f"{media}/avatars/original/missing.png",
        "header": f"{media}/headers/original/missing.png",
        "header_static": f"{media}/headers/original/missing.png",
        "followers_count": 10 + digest % 3000,
        "following_count": 10 + (digest >> 16) % 800,
        "statuses_count": statuses + (digest >> 32) % 4000,
        "last_status_at": last_status.strftime("%Y-%m-%d"),
        "emojis": [],
        "fields": [],
    }


_BLURHASH: Final = (string.digits + string.ascii_uppercase + string.ascii_lowercase
                    + "#$%*+,-.:;=?@[]^_{|}~")
_MEDIA_WORDS: Final = (
    (re.compile(r"gempa|quake|roboh|ambruk|retak|reruntuhan", re.I),
     "Rumah warga rusak setelah gempa, puing berserakan di halaman."),
    (re.compile(r"banjir|flood|genangan|lumpur|perahu", re.I),
     "Jalan permukiman tergenang air cokelat setinggi pinggang."),
    (re.compile(r"Merapi|Semeru|abu|erupsi|awan panas", re.I),
     "Kolom abu vulkanik terlihat dari kejauhan, langit kelabu."),
    (re.compile(r"longsor|tanah", re.I),
     "Tanah longsor menutup jalan desa, warga bergotong royong."),
    (re.compile(r"kebakaran|terbakar|api", re.I), "Asap hitam mengepul dari deretan kios pasar."),
)


def _media(rng: random.Random, status_id: str, created: datetime, text: str) -> dict[str, Any]:
    media_id = str((int(created.timestamp() * 1000) << 16) | rng.getrandbits(16))
    path = "/".join(media_id[i:i + 3] for i in range(0, len(media_id), 3))
    name = hashlib.sha256(f"media:{status_id}".encode()).hexdigest()[:16]
    base = f"https://{MASTODON_DOMAIN}/system/media_attachments/files/{path}"
    description = next((d for pattern, d in _MEDIA_WORDS if pattern.search(text)),
                       "Suasana posko pengungsian dengan tenda dan tumpukan bantuan.")
    return {
        "id": media_id,
        "type": "image",
        "url": f"{base}/original/{name}.jpeg",
        "preview_url": f"{base}/small/{name}.jpeg",
        "remote_url": None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": {
            "original": {"width": 1280, "height": 960, "size": "1280x960",
                         "aspect": 1280 / 960},
            "small": {"width": 554, "height": 416, "size": "554x416", "aspect": 554 / 416},
        },
        "description": description,
        "blurhash": "L" + "".join(rng.choice(_BLURHASH) for _ in range(27)),
    }


def build_mastodon(rng: random.Random, items: list[Item]) -> list[dict[str, Any]]:
    here = sorted((i for i in items if i.platform == "mastodon"), key=lambda i: i.created)
    for item in here:
        millis = int(item.created.timestamp() * 1000) + rng.randrange(1000)
        item.id = str((millis << 16) | rng.getrandbits(16))
    last_status: dict[str, datetime] = {}
    counts: dict[str, int] = {}
    for item in here:
        last_status[item.author] = item.created
        counts[item.author] = counts.get(item.author, 0) + 1

    def account(handle: str) -> dict[str, Any]:
        return mastodon_account(handle, last_status.get(handle, START), counts.get(handle, 0))

    statuses: list[dict[str, Any]] = []
    for item in here:
        text = item.text
        if item.parent is not None:
            text = f"@{item.parent.author} {text}"
        remote = item.author in REMOTE_USERS
        domain = REMOTE_DOMAIN if remote else MASTODON_DOMAIN
        native_id = str(int(item.id) + 7919) if remote else item.id
        mentions: list[dict[str, Any]] = []
        tags: list[dict[str, Any]] = []
        for token in scan(text):
            if token.kind == "user" and all(m["username"] != token.value for m in mentions):
                mentions.append({"id": mastodon_account_id(token.value),
                                 "username": token.value,
                                 "url": mastodon_account_url(token.value),
                                 "acct": (f"{token.value}@{REMOTE_DOMAIN}"
                                          if token.value in REMOTE_USERS else token.value)})
            elif token.kind == "tag" and all(t["name"] != token.value.lower() for t in tags):
                tags.append({"name": token.value.lower(),
                             "url": f"https://{MASTODON_DOMAIN}/tags/{token.value.lower()}"})
        media = ([_media(rng, item.id, item.created, item.text)]
                 if item.theme == "disaster" and rng.random() < 0.3 else [])
        scale = _AMPLIFY[item.theme]
        replies = sum(1 for c in item.children if c.platform == "mastodon")
        statuses.append({
            "id": item.id,
            "created_at": twitter_time(item.created),
            "in_reply_to_id": item.parent.id if item.parent is not None else None,
            "in_reply_to_account_id": (mastodon_account_id(item.parent.author)
                                       if item.parent is not None else None),
            "sensitive": False,
            "spoiler_text": "",
            "visibility": "public",
            "language": item.language,
            "uri": f"https://{domain}/users/{item.author}/statuses/{native_id}",
            "url": f"https://{domain}/@{item.author}/{native_id}",
            "replies_count": replies + int(rng.expovariate(1 / (scale / 8))),
            "reblogs_count": int(rng.expovariate(1 / (scale / 2))),
            "favourites_count": int(rng.expovariate(1 / scale)),
            "quotes_count": 0,
            "edited_at": None,
            "favourited": False,
            "reblogged": False,
            "muted": False,
            "bookmarked": False,
            "content": mastodon_content(text),
            "filtered": [],
            "reblog": None,
            "application": None if remote else {"name": "Web", "website": None},
            "account": account(item.author),
            "media_attachments": media,
            "mentions": mentions,
            "tags": tags,
            "emojis": [],
            "card": None,
            "poll": None,
        })
    statuses.sort(key=lambda s: int(s["id"]), reverse=True)
    return statuses


# --- Telegram Desktop export ---------------------------------------------------------------------

_FORWARDED: Final[dict[Theme, tuple[str, ...]]] = {
    "radicalism": ("Seruan Fajar", "Kajian Negeri Janji"),
    "hoax": ("Info Penting Grup Keluarga", "Broadcast Nusantara", "Kabar A1 Terpercaya"),
}


def telegram_text(text: str) -> tuple[str | list[str | dict[str, str]], list[dict[str, str]]]:
    """The ``text`` and ``text_entities`` fields for ``text``."""
    parts: list[str | dict[str, str]] = []
    entities: list[dict[str, str]] = []
    last = 0
    for token in scan(text):
        if token.kind == "user" and len(token.value) < 5:
            continue
        if token.start > last:
            parts.append(text[last:token.start])
            entities.append({"type": "plain", "text": text[last:token.start]})
        kind = {"url": "link", "tag": "hashtag", "user": "mention"}[token.kind]
        entity = {"type": kind, "text": text[token.start:token.end]}
        parts.append(entity)
        entities.append(dict(entity))
        last = token.end
    if last < len(text):
        parts.append(text[last:])
        entities.append({"type": "plain", "text": text[last:]})
    if not any(isinstance(part, dict) for part in parts):
        return text, entities
    return parts, entities


def _telegram_dates(prefix: str, moment: datetime) -> dict[str, str]:
    return {prefix: moment.astimezone(WIB).strftime("%Y-%m-%dT%H:%M:%S"),
            f"{prefix}_unixtime": str(int(moment.timestamp()))}


def build_telegram(rng: random.Random, items: list[Item]) -> dict[str, Any]:
    here = sorted((i for i in items if i.platform == "telegram"), key=lambda i: i.created)
    channel = f"channel{CHANNEL_ID}"
    created = START - timedelta(days=2, hours=3)
    messages: list[dict[str, Any]] = [{
        "id": 1, "type": "service", **_telegram_dates("date", created),
        "actor": CHANNEL_NAME, "actor_id": channel, "action": "create_channel",
        "title": CHANNEL_NAME, "text": "", "text_entities": [],
    }]
    pinned = next((i for i in here if i.theme == "counter_speech"
                   and re.search(r"resmi|hoaks", i.text, re.I)), here[0])
    next_id = 2
    for item in here:
        next_id += rng.choice((0, 0, 0, 1, 2))  # deleted messages leave gaps
        item.id = str(next_id)
        message: dict[str, Any] = {"id": next_id, "type": "message",
                                   **_telegram_dates("date", item.created)}
        if rng.random() < 0.1:
            edited = item.created + timedelta(seconds=rng.randrange(60, 3600))
            message.update(_telegram_dates("edited", edited))
        message["from"] = CHANNEL_NAME
        message["from_id"] = channel
        sources = _FORWARDED.get(item.theme)
        if sources and rng.random() < 0.6:
            message["forwarded_from"] = rng.choice(sources)
        if item.parent is not None:
            message["reply_to_message_id"] = int(item.parent.id)
        if item.theme == "disaster" and rng.random() < 0.4:
            message.update({"photo": NOT_INCLUDED, "photo_file_size": rng.randrange(60000, 250000),
                            "width": 1280, "height": 960})
        text, entities = telegram_text(item.text)
        message["text"] = text
        message["text_entities"] = entities
        messages.append(message)
        next_id += 1
        if item is pinned:
            messages.append({
                "id": next_id, "type": "service",
                **_telegram_dates("date", item.created + timedelta(minutes=3)),
                "actor": CHANNEL_NAME, "actor_id": channel, "action": "pin_message",
                "message_id": int(item.id), "text": "", "text_entities": [],
            })
            next_id += 1
    return {"name": CHANNEL_NAME, "type": "public_channel", "id": CHANNEL_ID,
            "messages": messages}


# --- putting it together -------------------------------------------------------------------------


def _dump(value: Any, indent: int | None) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=indent) + "\n").encode("utf-8")


def build(out_dir: Path) -> dict[str, int]:
    """Write the three demo files into ``out_dir``; returns the number of posts in each."""
    rng = random.Random(SEED)
    items = distribute(rng)
    link_conversations(rng, items, "twitter", max_replies=12, max_quotes=3)
    link_conversations(rng, items, "mastodon", max_replies=6, max_quotes=0)
    link_conversations(rng, items, "telegram", max_replies=3, max_quotes=0, harass=False)
    for item in items:
        item.created = item.created.replace(microsecond=0)
    pages = build_twitter(rng, items)
    statuses = build_mastodon(rng, items)
    channel = build_telegram(rng, items)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / TWITTER_FILE).write_bytes(
        b"".join(_dump(page, None) for page in pages))
    (out_dir / MASTODON_FILE).write_bytes(_dump(statuses, 2))
    (out_dir / TELEGRAM_FILE).write_bytes(_dump(channel, 1))
    return {
        TWITTER_FILE: sum(len(page["data"]) for page in pages),
        MASTODON_FILE: len(statuses),
        TELEGRAM_FILE: sum(1 for m in channel["messages"] if m["type"] == "message"),
    }


def summary(items: Iterable[tuple[str, str]]) -> str:
    counts: dict[str, int] = {}
    for key, _ in items:
        counts[key] = counts.get(key, 0) + 1
    return ", ".join(f"{key} {count}" for key, count in counts.items())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="directory to write the files into (default: %(default)s)")
    args = parser.parse_args(argv)
    counts = build(args.out)
    print(f"{len(TEXTS)} texts: {summary(TEXTS)}")
    for name, count in counts.items():
        print(f"{args.out / name}: {count} posts")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
