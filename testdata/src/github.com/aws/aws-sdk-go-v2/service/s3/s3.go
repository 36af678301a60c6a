// Package s3 is a stub of github.com/aws/aws-sdk-go-v2/service/s3 for tests.
package s3

import "context"

type Options struct{}
type Client struct{}
type GetObjectInput struct{}
type GetObjectOutput struct{}

func (c *Client) GetObject(ctx context.Context, in *GetObjectInput, optFns ...func(*Options)) (*GetObjectOutput, error) {
	return nil, nil
}
