#include "shim_ssl.h"
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/crypto.h>

EVP_PKEY *shim_EVP_EC_gen_P256(void) { return EVP_EC_gen("P-256"); }
long shim_DTLSv1_get_timeout(SSL *ssl, struct timeval *tv) { return DTLSv1_get_timeout(ssl, tv); }
long shim_DTLSv1_handle_timeout(SSL *ssl) { return DTLSv1_handle_timeout(ssl); }
long shim_SSL_CTX_set_read_ahead(SSL_CTX *ctx, long on) { return SSL_CTX_set_read_ahead(ctx, on); }
long shim_SSL_set_mtu(SSL *ssl, long mtu) { return SSL_set_mtu(ssl, mtu); }
uint64_t shim_SSL_OP_NO_QUERY_MTU(void) { return SSL_OP_NO_QUERY_MTU; }
long shim_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int v) { return SSL_CTX_set_min_proto_version(ctx, v); }
long shim_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int v) { return SSL_CTX_set_max_proto_version(ctx, v); }
void shim_OPENSSL_free(void *p) { OPENSSL_free(p); }
void shim_BIO_set_retry_read(BIO *b) { BIO_set_retry_read(b); }
void shim_BIO_set_retry_write(BIO *b) { BIO_set_retry_write(b); }
void shim_BIO_clear_retry_flags(BIO *b) { BIO_clear_retry_flags(b); }
