"""Hiring: jobs, screening rules, screenings, decisions and the recruiter pages."""
