package dora

import "time"

// Band is a DORA performance level. The thresholds are those of the 2023
// Accelerate State of DevOps report (the last with four levels per metric
// that are ordered; the 2024 report's clusters rank medium above high on
// change failure rate). docs/operations.md lists them.
type Band string

const (
	Elite  Band = "elite"
	High   Band = "high"
	Medium Band = "medium"
	Low    Band = "low"
	// NoData: nothing in the window to rate (no deployment, no sample).
	NoData Band = "none"
	// Unrated: DORA publishes no levels for the metric (rework rate).
	Unrated Band = "unrated"
)

const (
	day   = 24 * time.Hour
	week  = 7 * day
	month = 30 * day
)

// frequencyBand: elite on demand (at least daily), high at least weekly,
// medium at least monthly, low less often.
func frequencyBand(perDay float64) Band {
	switch {
	case perDay >= 1:
		return Elite
	case perDay >= 1.0/7:
		return High
	case perDay >= 1.0/30:
		return Medium
	}
	return Low
}

// leadTimeBand rates the median: elite under a day, high under a week,
// medium under a month, low beyond.
func leadTimeBand(n int, median time.Duration) Band {
	return durationBand(n, median, day, week, month)
}

// recoveryBand rates the median: elite under an hour, high under a day,
// medium under a week, low beyond.
func recoveryBand(n int, median time.Duration) Band {
	return durationBand(n, median, time.Hour, day, week)
}

func durationBand(n int, d, elite, high, medium time.Duration) Band {
	switch {
	case n == 0:
		return NoData
	case d < elite:
		return Elite
	case d < high:
		return High
	case d < medium:
		return Medium
	}
	return Low
}

// failureRateBand: elite up to 5%, high up to 10%, medium up to 15%, low
// above.
func failureRateBand(of int, ratio float64) Band {
	switch {
	case of == 0:
		return NoData
	case ratio <= 0.05:
		return Elite
	case ratio <= 0.10:
		return High
	case ratio <= 0.15:
		return Medium
	}
	return Low
}
