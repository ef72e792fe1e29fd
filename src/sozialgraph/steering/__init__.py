"""Steering: goals with targets, needs, need suggestions from the gap ranking, measures and their evaluation."""
