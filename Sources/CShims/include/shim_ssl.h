#ifndef SHIM_SSL_H
#define SHIM_SSL_H
#include <stdint.h>
#include <sys/time.h>
#include <openssl/ssl.h>
#include <openssl/bio.h>
EVP_PKEY *shim_EVP_EC_gen_P256(void);                         /* macro over variadic EVP_PKEY_Q_keygen */
long shim_DTLSv1_get_timeout(SSL *ssl, struct timeval *tv);    /* macro over SSL_ctrl */
long shim_DTLSv1_handle_timeout(SSL *ssl);                     /* macro over SSL_ctrl */
long shim_SSL_CTX_set_read_ahead(SSL_CTX *ctx, long on);
long shim_SSL_set_mtu(SSL *ssl, long mtu);
uint64_t shim_SSL_OP_NO_QUERY_MTU(void);                       /* SSL_OP_BIT(12) */
long shim_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version);
long shim_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version);
void shim_OPENSSL_free(void *p);                               /* macro adding __FILE__/__LINE__ */
void shim_BIO_set_retry_read(BIO *b);
void shim_BIO_set_retry_write(BIO *b);
void shim_BIO_clear_retry_flags(BIO *b);
#endif
