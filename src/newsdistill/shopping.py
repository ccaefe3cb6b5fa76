"""Tell a shopping list (a deals list, a gift guide) from a news report.

A news site publishes deals lists and gift guides next to its reports. They are fine pages,
but they report no event: in clustering, a "best laptop deals" list joins the story about a
laptop's launch because both name the maker and its models, and a story written from it
would cite a shop's prices. Roundup detection (``segment.find_roundup``) does not catch them:
when every item names one brand, the items link into one subject. So clustering keeps
shopping lists out of event stories too (``cluster.roundup``).

What marks a shopping list is that **its items offer products at a price**: most list items
(sections under headings, numbered or bulleted entries, as ``segment.roundup_items`` finds
them) carry a shop price ("$899", "£24.99", "49 €", "329 crowns"), and the page speaks of an
offer, in its title ("deals", "gifts", "% off") or in most of its priced items ("$70 off",
"usual price", "discount"). A news report's list has prices in a few items ("Five things to
know about the new phones": two of five); a budget explainer has an amount in every item
but offers nothing. Amounts with a scale word ("$9.4 billion", "£45m") are not shop prices.
A single-product price-drop post has no list and is not caught.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .segment import Block, item_prose


@dataclass(frozen=True)
class ShoppingOptions:
    """When a page is a shopping list. Calibrated on tests/fixtures/events/shopping and every
    other fixture page with list items (docs/clustering.md); the eval-data mix is held out."""

    # Items of fewer prose words are not items (as in ``segment.RoundupOptions``).
    min_item_words: int = 15
    # At least this many items ...
    min_items: int = 4
    # ... and this share of them carry a shop price. Shopping fixtures: every item; news
    # lists: at most 2 of 5 (a phone launch's "five things"), a week in review 1 of 5. The
    # price rule alone separates them for any share in (0.4, 1.0]; 0.7 is its centre (with
    # the offer condition, 0.3-1.0 give the same verdicts).
    min_priced_share: float = 0.7


@dataclass(frozen=True)
class Shopping:
    """Why a page is a shopping list: how many of its items offer a product at a price."""

    priced: int
    items: int

    @property
    def reason(self) -> str:
        """One line for the list of skipped sources."""
        return (
            f"shopping: {self.priced} of {self.items} items offer products at a price, "
            "not a report of an event"
        )


_SCALE = r"(?!\s*(?:million|billion|trillion|thousand|bn|mn|m|k)\b)"
# Atomic: "$4.1 billion" must not match as "$4" followed by ".1 billion".
_AMOUNT = r"(?>\d[\d,]*(?:\.\d+)?)"
_CURRENCY = r"(?:dollars|euros|pounds|crowns|kronor|kroner|marks|francs|yen|rupees|USD|EUR|GBP)"
# A shop price: a currency sign or code before the amount, or a currency sign or word after
# it, with no scale word ("$9.4 billion" is a total, not a price).
_PRICE = re.compile(
    rf"(?:(?:[A-Z]{{1,2}}\$|[$£€¥₹]|\b(?:USD|EUR|GBP)\s?)\s?{_AMOUNT}{_SCALE}"
    rf"|\b{_AMOUNT}\s?(?:€|{_CURRENCY}\b))"
)
# The words of an offer. Not "sale" ("on sale in shops from Friday" is a launch) and not
# "buy" ("a buy rating"); "off" only after a price or a percentage.
_OFFER = re.compile(
    r"""(?:[\d%]\s?off\b|\b(?:save\ [$£€\d]|deals?\b|discount(?:ed|s)?\b|bargains?\b
    |coupons?\b|vouchers?\b|promo\ codes?\b|gifts?\b|gift\ guide|lowest\ price|cheapest\b
    |(?:usual|regular|list|full|original|normal|retail)\ price|rrp\b|msrp\b|price\ drop
    |was\ [$£€]|down\ (?:to|from)\ [$£€]))""",
    re.IGNORECASE | re.VERBOSE,
)


def find_shopping(
    blocks: list[Block], title: str, options: ShoppingOptions | None = None
) -> Shopping | None:
    """A ``Shopping`` finding when most of a page's list items offer products at a price;
    None for a report (which may still list prices in a few items, or amounts in all)."""
    options = options or ShoppingOptions()
    items = [" ".join(prose) for _, prose in item_prose(blocks, options.min_item_words)]
    priced = [text for text in items if _PRICE.search(text)]
    if len(items) < options.min_items or len(priced) < options.min_priced_share * len(items):
        return None
    offered = sum(1 for text in priced if _OFFER.search(text))
    if not _OFFER.search(title) and offered * 2 < len(priced):
        return None  # amounts in every item, but nothing is offered: an explainer
    return Shopping(len(priced), len(items))
