"""Exchange with the field's other standards: HSDS 3.0 (Open Referral) and schema.org."""
