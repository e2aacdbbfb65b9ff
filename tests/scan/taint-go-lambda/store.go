package main

import (
	"context"
	"database/sql"
)

var db *sql.DB

func recentLookups(ctx context.Context, owner string) ([]string, error) {
	query := "SELECT host FROM lookups WHERE owner = '" + owner + "' ORDER BY at DESC LIMIT 10"
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hosts []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err == nil {
			hosts = append(hosts, h)
		}
	}
	return hosts, nil
}

func lookupsByOwner(ctx context.Context, owner string) (*sql.Rows, error) {
	return db.QueryContext(ctx, "SELECT host FROM lookups WHERE owner = $1", owner)
}
