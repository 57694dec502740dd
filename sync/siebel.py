"""The published mapping between a Siebel-style export and OSP's sync records
(GET /api/v1/sync/mapping/; the reference client applies it).

Siebel sends dates as MM/DD/YYYY and keys every record by its ROW_ID ("Id"). References
(the opportunity's account, the contact's account or manager) carry the other record's
ROW_ID; OSP resolves them within the same source.
"""

# Siebel "Sales Stage" (this customer's list of values, one per OSP stage) -> OSP stage.
SALES_STAGES = {
    "01 - Lead": "lead",
    "02 - Project Initiated": "2",
    "03 - Plan Approved": "3",
    "04 - Executive Sponsor": "4",
    "05 - Short-listed": "5",
    "06 - Technical Win": "6",
    "07 - Closing This Quarter": "7",
    "08 - Negotiation": "8",
    "09 - PO Received": "9",
    "09.5 - Payment Received": "9.5",
    "10 - Booked": "10",
    "Closed - Lost": "lost",
    "No Go": "no_go",
}
OSP_STAGES = {osp: siebel for siebel, osp in SALES_STAGES.items()}

# Siebel field -> OSP field, per record type. None: shown for reference, never written
# (e.g. OSP derives the win probability from the stage).
FIELDS = {
    "opportunities": {
        "Id": "external_id",
        "Name": "name",
        "Sales Stage": "stage",
        "Primary Revenue Amount": "amount",
        "Currency Code": "currency",
        "Primary Revenue Close Date": "expected_close_date",
        "Primary Revenue Win Probability": None,  # OSP: probability, from the stage
        "Account": "account",
        "Sales Rep": "owner",
        "Description": "description",
        "Next Step": "next_step",
        "Reason Won Lost": "stage_reason",
        "Winning Competitor": "winning_competitor",
        "PO Number": "po_number",
        "PO Date": "po_date",
        "PO Amount": "po_amount",
        # What finance recorded: the payment (9.5) and the booking (10).
        "Payment Reference": "payment_reference",
        "Payment Date": "payment_date",
        "Booking Reference": "booking_reference",
        "Booking Date": "booking_date",
    },
    "accounts": {
        "Id": "external_id",
        "Name": "name",
        "Sales Rep": "owner",
        "Home Page": "website",
        "Industry": "industry",
        "Description": "business_situation",
    },
    "contacts": {
        "Id": "external_id",
        "First Name": "first_name",
        "Last Name": "last_name",
        "Job Title": "title",
        "Department": "department",
        "Email Address": "email",
        "Work Phone #": "phone",
        "Account": "account",
        "Manager Id": "reports_to",
    },
    "partners": {
        "Id": "external_id",
        "Name": "name",
        "Partner Type": "type",
        "Home Page": "website",
        "Sales Rep": "owner",
    },
}
DATE_FIELDS = {"expected_close_date", "po_date", "payment_date", "booking_date"}
SIEBEL_DATE_FORMAT = "%m/%d/%Y"

# Siebel partner types -> OSP's.
PARTNER_TYPES = {
    "System Integrator": "system_integrator",
    "ISV": "isv",
    "Reseller": "reseller",
    "Consultant": "consultant",
}

# Siebel industries -> OSP's.
INDUSTRIES = {
    "Financial Services": "financial_services",
    "Telecommunications": "telecom",
    "Public Sector": "government",
    "Manufacturing": "manufacturing",
    "Energy": "energy",
    "Retail": "retail",
    "Healthcare": "healthcare",
    "Transportation": "transport",
    "Education": "education",
}


def mapping() -> dict:
    return {"sales_stages": SALES_STAGES, "fields": FIELDS, "partner_types": PARTNER_TYPES,
            "industries": INDUSTRIES,
            "date_format": "MM/DD/YYYY"}
