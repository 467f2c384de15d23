"""ATS integrations: webhooks in from an applicant tracking system (Greenhouse today)."""
