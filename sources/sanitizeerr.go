package sources

// SanitizeError returns err with its message sanitised (Sanitize), for an
// error that quotes what a backend sent; errors.Is and errors.As still see
// err. A nil err stays nil.
func SanitizeError(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(sanitizedError); ok {
		return err
	}
	return sanitizedError{err}
}

type sanitizedError struct{ err error }

func (e sanitizedError) Error() string { return Sanitize(e.err.Error()) }
func (e sanitizedError) Unwrap() error { return e.err }
