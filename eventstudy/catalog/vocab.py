"""The catalog's vocabularies (timings, roles, deal types, ...): plain enums, light enough for the CLI to import."""

from __future__ import annotations

from enum import StrEnum


class Timing(StrEnum):
    PRE_OPEN = "pre-open"
    INTRADAY = "intraday"
    AFTER_CLOSE = "after-close"
    UNKNOWN = "unknown"


class Role(StrEnum):
    ANNOUNCER = "announcer"
    COUNTERPARTY = "counterparty"
    INVESTOR = "investor"
    INVESTEE = "investee"
    SUPPLIER = "supplier"
    CUSTOMER = "customer"
    COMPETITOR = "competitor"
    PARTNER = "partner"
    ACQUIRER = "acquirer"
    TARGET = "target"
    SELLER = "seller"
    SUBJECT = "subject"


class DealType(StrEnum):
    INVESTMENT = "investment"
    COMPUTE_CONTRACT = "compute-contract"
    SUPPLY_DEAL = "supply-deal"
    EQUITY_FOR_ORDERS = "equity-for-orders"
    JOINT_VENTURE = "joint-venture"
    FINANCING = "financing"
    ACQUISITION = "acquisition"
    STAKE_DISCLOSURE = "stake-disclosure"
    STAKE_SALE = "stake-sale"
    POLICY = "policy"
    COMMENTARY = "commentary"


class Confidence(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class AmountKind(StrEnum):
    UP_TO = "up-to"
    COMMITMENT = "commitment"
    NOTIONAL = "notional"
    ESTIMATE = "estimate"
    TOTAL_CONTRACT_VALUE = "total-contract-value"
    MARKET_VALUE = "market-value"
    PURCHASE_PRICE = "purchase-price"
    PROCEEDS = "proceeds"


class Scale(StrEnum):
    UNIT = "unit"
    THOUSAND = "thousand"
    MILLION = "million"
    BILLION = "billion"
    TRILLION = "trillion"


SCALE_FACTOR = {Scale.UNIT: 1.0, Scale.THOUSAND: 1e3, Scale.MILLION: 1e6, Scale.BILLION: 1e9, Scale.TRILLION: 1e12}


class ClaimQualifier(StrEnum):
    ABOUT = "about"
    NEARLY = "nearly"
    OVER = "over"
    EXACT = "exact"


class ClaimMeasure(StrEnum):
    CLOSE_TO_CLOSE = "close-to-close"
    INTRADAY_HIGH = "intraday-high"


class FlowKind(StrEnum):
    """What passes from one party to the other in a :class:`Flow`."""

    INVESTMENT = "investment"
    PURCHASE = "purchase"
    WARRANTS = "warrants"
    PROCEEDS = "proceeds"
