"""Money as integers: reading amounts people type, and the one rounding rule.

Amounts are integer minor units of an ISO 4217 currency (pence for GBP,
none for JPY, thousandths for BHD: babel says how many digits each has).
Quantities are thousandths (1.5 is 1500) and rates basis points (20 % is
2000), so every figure is an integer and no float ever touches money.

**Rounding** (stated once, here and in the README): each invoice line is
rounded on its own, half away from zero, to the currency's minor unit:
first its net amount (quantity x unit price, less its discount), then its
tax (net x tax rate). The invoice's totals are the sums of the rounded
lines, so the lines always add up to the total printed under them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.numbers import get_currency_precision, list_currencies

from portal_app.services.errors import Invalid

QUANTITY_SCALE = 1000  # thousandths
RATE_SCALE = 10_000  # basis points: 10,000 is 100 %
AMOUNT_MAX = 10**12  # minor units: ten billion pounds on one line is a typo, not an invoice
QUANTITY_MAX = 10**6 * QUANTITY_SCALE
TEXT_MAX = 30  # characters of a typed number


def minor_digits(currency: str) -> int:
    """How many digits the currency has after the point (GBP 2, JPY 0)."""
    return get_currency_precision(currency)


def check_currency(value: object, *, field: str = "currency") -> str:
    """An ISO 4217 code babel knows, upper-cased; else a clear message."""
    code = value.strip().upper() if isinstance(value, str) else ""
    if len(code) != 3 or code not in list_currencies():
        raise Invalid("Choose a currency by its three-letter code, such as GBP, EUR or USD.", field=field)
    return code


def _decimal(value: object, *, field: str, label: str) -> Decimal:
    """A number as typed ("1,250.50" or "1250.5"), never a float."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise Invalid(f"{label} must be a number.", field=field)
    text = str(value).strip().replace(",", "").replace(" ", "")
    if not text:
        raise Invalid(f"Enter {label.lower()}.", field=field)
    if len(text) > TEXT_MAX:
        raise Invalid(f"{label} is too long to be a number.", field=field)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise Invalid(f"{label} must be a number, such as 12.50.", field=field) from None
    if not number.is_finite():
        raise Invalid(f"{label} must be a number, such as 12.50.", field=field)
    return number


def _scaled(number: Decimal, digits: int, *, field: str, label: str, what: str) -> int:
    scaled = number.scaleb(digits)
    if scaled != scaled.to_integral_value():
        raise Invalid(f"{label} can have at most {digits} digit{'' if digits == 1 else 's'} after the point"
                      f"{what}.", field=field)
    return int(scaled)


def parse_amount(value: object, currency: str, *, field: str = "amount", label: str = "Amount",
                 allow_zero: bool = False) -> int:
    """"12.50" in GBP is 1250: an amount as typed, in minor units. Never
    negative; more digits than the currency has is refused, not rounded."""
    digits = minor_digits(currency)
    number = _decimal(value, field=field, label=label)
    amount = _scaled(number, digits, field=field, label=label, what=f" in {currency}")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise Invalid(f"{label} must be more than zero." if not allow_zero else f"{label} cannot be negative.",
                      field=field)
    if amount > AMOUNT_MAX:
        raise Invalid(f"{label} is too large.", field=field)
    return amount


def parse_quantity(value: object, *, field: str = "quantity", label: str = "Quantity") -> int:
    """"1.5" is 1500 thousandths; more than zero, at most three decimals."""
    quantity = _scaled(_decimal(value, field=field, label=label), 3, field=field, label=label, what="")
    if quantity <= 0:
        raise Invalid(f"{label} must be more than zero.", field=field)
    if quantity > QUANTITY_MAX:
        raise Invalid(f"{label} is too large.", field=field)
    return quantity


def parse_rate(value: object, *, field: str, label: str) -> int:
    """A percentage as typed ("20", "17.5", "" for none) in basis points."""
    if isinstance(value, str) and not value.strip():
        return 0
    rate = _scaled(_decimal(value, field=field, label=label), 2, field=field, label=label, what="")
    if not 0 <= rate <= RATE_SCALE:
        raise Invalid(f"{label} must be a percentage from 0 to 100.", field=field)
    return rate


def divide_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to the nearest integer, halves away
    from zero (the rounding of every amount)."""
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return quotient if numerator >= 0 else -quotient


def line_amounts(quantity: int, unit_price: int, tax_rate: int = 0, discount: int = 0) -> tuple[int, int]:
    """One line's (net, tax) in minor units: quantity (thousandths) x unit
    price, less the discount (basis points), rounded; then its tax on the
    rounded net, rounded."""
    net = divide_half_up(quantity * unit_price * (RATE_SCALE - discount), QUANTITY_SCALE * RATE_SCALE)
    return net, divide_half_up(net * tax_rate, RATE_SCALE)


def as_decimal(amount: int, currency: str) -> Decimal:
    """Minor units back to the currency's amount (1250 GBP is 12.50), for
    babel and for forms that show what was typed."""
    return Decimal(amount).scaleb(-minor_digits(currency))


def typed(amount: int, currency: str) -> str:
    """An amount as a form would show it for editing: "12.50", "1250" (JPY)."""
    return f"{as_decimal(amount, currency):f}"


def typed_quantity(quantity: int) -> str:
    """1500 thousandths as "1.5"; 2000 as "2"."""
    text = f"{Decimal(quantity).scaleb(-3):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def typed_rate(rate: int) -> str:
    """2000 basis points as "20"; 1750 as "17.5"."""
    text = f"{Decimal(rate).scaleb(-2):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
