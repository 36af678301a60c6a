// Recall case sc-gorm-scan
// Source: github.com/go-gorm/gorm commit 673053f56a037fdd01031bee397188ff17830376 (scan.go)
// Link: https://github.com/go-gorm/gorm/commit/673053f56a037fdd01031bee397188ff17830376
// Bug: when the query ctx is cancelled while rows are being iterated, rows.Next() just returns false, Scan never looks at rows.Err(), so the cancellation is dropped and First() reports ErrRecordNotFound (or a partial result) instead of context.Canceled.
// Fix: Scan now checks rows.Err() after iteration and adds it to db.Error, and only raises ErrRecordNotFound when no other error is set.
// Rule: swallowcancel
package gorm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
)

// ErrRecordNotFound record not found error
var ErrRecordNotFound = errors.New("record not found")

// ConnPool db conns pool interface (satisfied by *sql.DB / *sql.Tx)
type ConnPool interface {
	QueryContext(ctx context.Context, query string, args ...interface{}) (*sql.Rows, error)
}

type Statement struct {
	DB                   *DB
	ConnPool             ConnPool
	Context              context.Context
	Dest                 interface{}
	ReflectValue         reflect.Value
	SQL                  string
	Vars                 []interface{}
	RaiseErrorOnNotFound bool
}

type DB struct {
	Statement    *Statement
	Error        error
	RowsAffected int64
	DryRun       bool
	callbacks    []func(*DB)
}

func Open(pool ConnPool) *DB {
	db := &DB{Statement: &Statement{ConnPool: pool, Context: context.Background()}}
	db.Statement.DB = db
	db.callbacks = []func(*DB){Query}
	return db
}

// WithContext change current instance db's context to ctx
func (db *DB) WithContext(ctx context.Context) *DB {
	tx := &DB{Statement: &Statement{ConnPool: db.Statement.ConnPool, Context: ctx}, callbacks: db.callbacks}
	tx.Statement.DB = tx
	return tx
}

// AddError add error to db
func (db *DB) AddError(err error) error {
	if db.Error == nil {
		db.Error = err
	} else if err != nil {
		db.Error = fmt.Errorf("%v; %w", db.Error, err)
	}
	return db.Error
}

func (db *DB) execute() *DB {
	for _, f := range db.callbacks {
		f(db)
	}
	return db
}

// First find first record that match given conditions, order by primary key
func (db *DB) First(dest interface{}, query string, args ...interface{}) (tx *DB) {
	tx = db
	tx.Statement.RaiseErrorOnNotFound = true
	tx.Statement.Dest = dest
	tx.Statement.ReflectValue = reflect.ValueOf(dest).Elem()
	tx.Statement.SQL = query + " LIMIT 1"
	tx.Statement.Vars = args
	return tx.execute()
}

// Find find records that match given conditions
func (db *DB) Find(dest interface{}, query string, args ...interface{}) (tx *DB) {
	tx = db
	tx.Statement.Dest = dest
	tx.Statement.ReflectValue = reflect.ValueOf(dest).Elem()
	tx.Statement.SQL = query
	tx.Statement.Vars = args
	return tx.execute()
}

// Query is the query callback (callbacks/query.go)
func Query(db *DB) {
	if db.Error == nil {
		if !db.DryRun && db.Error == nil {
			rows, err := db.Statement.ConnPool.QueryContext(db.Statement.Context, db.Statement.SQL, db.Statement.Vars...)
			if err != nil {
				db.AddError(err)
				return
			}
			defer rows.Close()

			Scan(rows, db, false)
		}
	}
}

func Scan(rows *sql.Rows, db *DB, initialized bool) {
	columns, _ := rows.Columns()
	values := make([]interface{}, len(columns))
	db.RowsAffected = 0

	switch dest := db.Statement.Dest.(type) {
	case map[string]interface{}, *map[string]interface{}:
		if initialized || rows.Next() {
			for idx := range columns {
				values[idx] = new(interface{})
			}
			db.RowsAffected++
			db.AddError(rows.Scan(values...))

			mapValue, ok := dest.(map[string]interface{})
			if !ok {
				if v, ok := dest.(*map[string]interface{}); ok {
					mapValue = *v
				}
			}
			for idx, column := range columns {
				mapValue[column] = *(values[idx].(*interface{}))
			}
		}
	default:
		switch db.Statement.ReflectValue.Kind() {
		case reflect.Slice, reflect.Array:
			elemType := db.Statement.ReflectValue.Type().Elem()
			db.Statement.ReflectValue.Set(reflect.MakeSlice(db.Statement.ReflectValue.Type(), 0, 20))
			for initialized || rows.Next() {
				initialized = false
				db.RowsAffected++
				elem := reflect.New(elemType)
				for idx := range columns {
					if idx < elemType.NumField() {
						values[idx] = elem.Elem().Field(idx).Addr().Interface()
					} else {
						values[idx] = new(interface{})
					}
				}
				db.AddError(rows.Scan(values...))
				db.Statement.ReflectValue.Set(reflect.Append(db.Statement.ReflectValue, elem.Elem()))
			}
		case reflect.Struct, reflect.Ptr:
			if initialized || rows.Next() {
				for idx := range columns {
					if idx < db.Statement.ReflectValue.NumField() {
						values[idx] = db.Statement.ReflectValue.Field(idx).Addr().Interface()
					} else {
						values[idx] = new(interface{})
					}
				}
				db.RowsAffected++
				db.AddError(rows.Scan(values...))
			}
		}
	}

	if err := rows.Err(); err != nil && err != db.Error {
		db.AddError(err)
	}

	if db.RowsAffected == 0 && db.Statement.RaiseErrorOnNotFound && db.Error == nil {
		db.AddError(ErrRecordNotFound)
	}
}

// User is an example model.
type User struct {
	ID   int64
	Name string
}

// FindUser is how an application calls gorm: it expects errors.Is(err, context.Canceled) on cancellation.
func FindUser(ctx context.Context, sqlDB *sql.DB, id int64) (*User, error) {
	var u User
	if err := Open(sqlDB).WithContext(ctx).First(&u, "SELECT id, name FROM users WHERE id = ?", id).Error; err != nil {
		return nil, err
	}
	return &u, nil
}
