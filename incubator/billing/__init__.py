"""Paid use through Stripe (or offline invoicing): charges, monthly fees, webhooks and the payments pages."""
