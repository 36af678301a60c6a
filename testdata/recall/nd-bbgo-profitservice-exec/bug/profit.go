// Recall case nd-bbgo-profitservice-exec
// Source: github.com/c9s/bbgo commit d1cc24879c1cff34ab054193c3e03855125feb0b (pkg/service/profit.go)
// Link: https://github.com/c9s/bbgo/commit/d1cc24879c1cff34ab054193c3e03855125feb0b
// Bug: ProfitService.Insert/Delete and PositionService.Delete run DB statements with DB.Exec (no context), so the profit fixer's ctx never reaches the database and a stuck query blocks forever.
// Fix: Delete takes ctx and uses ExecContext(ctx), Insert bounds its statement with a 30s context, and fixFromTrades threads ctx down.
// Rule: nodeadline
package service

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

type Profit struct {
	Strategy string
	Symbol   string
	Profit   float64
	TradedAt time.Time
}

type ProfitService struct {
	DB *sql.DB
}

func (s *ProfitService) Insert(profit Profit) error {
	_, err := s.DB.Exec(`
		INSERT INTO profits (strategy, symbol, profit, traded_at)
		VALUES (?, ?, ?, ?)`,
		profit.Strategy, profit.Symbol, profit.Profit, profit.TradedAt)
	return err
}

type ProfitQueryOptions struct {
	Strategy  string
	Symbol    string
	StartTime time.Time // inclusive
	EndTime   time.Time // inclusive
}

// deleteSQL stands in for the squirrel builder used upstream.
func deleteSQL(table string, strategy, symbol string, start, end time.Time) (string, []any) {
	var where []string
	var args []any
	if strategy != "" {
		where = append(where, "strategy = ?")
		args = append(args, strategy)
	}
	if symbol != "" {
		where = append(where, "symbol = ?")
		args = append(args, symbol)
	}
	if !start.IsZero() {
		where = append(where, "traded_at >= ?")
		args = append(args, start)
	}
	if !end.IsZero() {
		where = append(where, "traded_at <= ?")
		args = append(args, end)
	}
	q := "DELETE FROM " + table
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	return q, args
}

func (s *ProfitService) Delete(options ProfitQueryOptions) error {
	sql, args := deleteSQL("profits", options.Strategy, options.Symbol, options.StartTime, options.EndTime)
	_, err := s.DB.Exec(sql, args...)
	return err
}

type PositionQueryOptions struct {
	Symbol    string
	StartTime time.Time
	EndTime   time.Time
}

type PositionService struct {
	DB *sql.DB
}

func (s *PositionService) Delete(options PositionQueryOptions) error {
	sql, args := deleteSQL("positions", "", options.Symbol, options.StartTime, options.EndTime)
	_, err := s.DB.Exec(sql, args...)
	return err
}

// ProfitFixer mirrors strategy/common.ProfitFixer.
type ProfitFixer struct {
	PositionService *PositionService
	ProfitService   *ProfitService
}

func (f *ProfitFixer) Fix(ctx context.Context, symbol string, since, until time.Time) error {
	// upstream first loads all trades for the range with ctx-aware batch queries
	if err := ctx.Err(); err != nil {
		return err
	}
	return f.fixFromTrades(symbol, since, until)
}

func (f *ProfitFixer) fixFromTrades(symbol string, oldest, last time.Time) error {
	// clear existing position and profit records
	if f.PositionService != nil {
		err := f.PositionService.Delete(PositionQueryOptions{
			Symbol:    symbol,
			StartTime: oldest,
			EndTime:   last,
		})
		if err != nil {
			return err
		}
	}
	if f.ProfitService != nil {
		err := f.ProfitService.Delete(ProfitQueryOptions{
			Symbol:    symbol,
			StartTime: oldest,
			EndTime:   last,
		})
		if err != nil {
			return err
		}
	}
	return nil
}
