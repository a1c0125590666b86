import { describe, expect, it } from 'vitest';
import { redactLocation, redactUrl, redactUrlsIn } from './redact-url.js';

describe('redactUrl', () => {
  it.each([
    ['postgres://u:PW@h:5432/db', 'postgres://u:***@h:5432/db'],
    ['postgres://u@127.0.0.1:1/db?password=PW', 'postgres://u@127.0.0.1:1/db?password=***'],
    ['postgres://u@h/db?sslmode=require&sslpassword=PW', 'postgres://u@h/db?sslmode=require&sslpassword=***'],
    ['postgres://u@h/db?PASSWORD=PW&application_name=x', 'postgres://u@h/db?PASSWORD=***&application_name=x'],
    ['postgres://u@h/db', 'postgres://u@h/db'],
    ['not a url PW', '(a URL that does not parse)'],
  ])('masks %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});

describe('redactLocation', () => {
  it.each([
    ['s3://AKIA:SECRET@bucket/p', 's3://***:***@bucket/p'],
    ['s3://AKIA@bucket/p', 's3://***@bucket/p'],
    ['s3://b/p?endpoint=http://u:SECRET@minio:9000', 's3://b/p?endpoint=http://***:***@minio:9000/'],
    [
      's3://b/p?secretKey=SECRET&x-amz-security-token=SECRET',
      's3://b/p?secretKey=***&x-amz-security-token=***',
    ],
    ['/backups/x', '/backups/x'],
  ])('masks %s', (location, expected) => {
    expect(redactLocation(location)).toBe(expected);
    expect(redactLocation(location)).not.toMatch(/SECRET|AKIA/u);
  });

  it('masks the user-info of a URL that does not parse', () => {
    expect(redactLocation('s3://AKIA:SECRET@bu cket:x/p?token=SECRET')).toBe('s3://***@bu cket:x/p?…');
  });

  it('masks the URLs inside a message', () => {
    expect(redactUrlsIn('upload to s3://AKIA:SECRET@b/p failed: "http://u:SECRET@h/x" refused')).toBe(
      'upload to s3://***:***@b/p failed: "http://***:***@h/x" refused',
    );
  });
});
