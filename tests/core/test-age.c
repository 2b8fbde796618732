/* test-age.c — the age v1 format: round trips, interoperability with
 * Debian's age both ways, and files that were tampered with, cut short,
 * for someone else, or hostile
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-test-age"

#include "config.h"

#include <string.h>

#include "air-age.h"
#include "air-error.h"
#include "test-util.h"

/* Small work factor for files this test writes: scrypt at 2^18 costs
 * 256 MiB and a second each time. */
#define TEST_LOG_N 10

static char *tmp_dir;

static GBytes *
pattern (gsize len)
{
  guint8 *data = g_malloc (len + 1);

  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) (i * 7 + i / 251);
  return g_bytes_new_take (data, len);
}

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

static void
write_file (const char *path, GBytes *bytes)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
}

static GBytes *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

/* Runs ARGV; its standard output, or NULL when it failed. */
static char *
run (const char * const *argv, int *exit_status)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  g_autofree char *err = NULL;
  int status = -1;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                &out, &err, &status, &error);
  g_assert_no_error (error);
  if (err != NULL && *err != '\0')
    g_test_message ("%s: %s", argv[0], err);
  *exit_status = g_spawn_check_wait_status (status, NULL) ? 0 : 1;
  return out;
}

static gboolean
have_age (void)
{
  g_autofree char *age = g_find_program_in_path ("age");
  g_autofree char *keygen = g_find_program_in_path ("age-keygen");

  if (age == NULL || keygen == NULL)
    {
      g_test_skip ("Debian's age is not installed (scripts/setup-debian.sh installs it)");
      return FALSE;
    }
  return TRUE;
}

static void
assert_same (GBytes *a, GBytes *b)
{
  g_assert_cmpuint (g_bytes_get_size (a), ==, g_bytes_get_size (b));
  g_assert_true (g_bytes_equal (a, b));
}

static void
test_keys (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *identity = NULL;
  g_autofree char *recipient = NULL;
  g_autofree char *again = NULL;
  static const char * const bad[] = {
    "", "age1", "age1qqqqqq", "AGE1kem796hf7t9g9h35m93zcejz6e7apk3tuveskrfcttr2kwyu44nqrt98z9",
    "age1kem796hf7t9g9h35m93zcejz6e7apk3tuveskrfcttr2kwyu44nqrt98z8",  /* checksum */
    "age1Kem796hf7t9g9h35m93zcejz6e7apk3tuveskrfcttr2kwyu44nqrt98z9",  /* mixed case */
    "age1kem796hf7t9g9h35m93zcejz6e7apk3tuveskrfcttr2kwyu44nqrt98",    /* short */
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
    "AGE-SECRET-KEY-1U0CGAUFQCMYENDC47PQEJ5LUHMF0HGZN7HCVNXN3PC9V2MCRF37QWCLZNH",
  };

  g_assert_true (air_age_keygen (&identity, &recipient, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (identity, "AGE-SECRET-KEY-1"));
  g_assert_true (g_str_has_prefix (recipient, "age1"));
  g_assert_true (air_age_recipient_validate (recipient, &error));
  again = air_age_identity_to_recipient (identity, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again, ==, recipient);
  g_assert_true (air_age_recipient_validate ("age1kem796hf7t9g9h35m93zcejz6e7apk3tuveskrfcttr2kwyu44nqrt98z9", NULL));

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) local_error = NULL;

      test_note ("bad recipient", i, bad[i]);
      g_assert_false (air_age_recipient_validate (bad[i], &local_error));
      g_assert_error (local_error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT);
    }

  if (have_age ())
    {
      /* age-keygen -y reads our identity and derives the same recipient */
      g_autofree char *id_path = tmp_path ("ours.key");
      g_autofree char *contents = g_strdup_printf ("# made by test-age\n%s\n", identity);
      g_autofree char *out = NULL;
      const char *argv[] = { "age-keygen", "-y", id_path, NULL };
      int status;

      g_file_set_contents (id_path, contents, -1, &error);
      g_assert_no_error (error);
      out = run (argv, &status);
      g_assert_cmpint (status, ==, 0);
      g_assert_cmpstr (g_strstrip (out), ==, recipient);
    }
}

static void
test_round_trip (void)
{
  static const gsize sizes[] = { 0, 1, 65535, 65536, 65537, 3 * 65536, 200000 };
  g_autofree char *id1 = NULL, *r1 = NULL, *id2 = NULL, *r2 = NULL, *id3 = NULL, *r3 = NULL;

  g_assert_true (air_age_keygen (&id1, &r1, NULL));
  g_assert_true (air_age_keygen (&id2, &r2, NULL));
  g_assert_true (air_age_keygen (&id3, &r3, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) plain = pattern (sizes[i]);
      const char *recipients[] = { r1, r2, NULL };
      const char *first[] = { id1, NULL };
      const char *second[] = { id3, id2, NULL };
      const char *stranger[] = { id3, NULL };
      g_autoptr(GBytes) file = air_age_encrypt (plain, recipients, &error);
      g_autoptr(GBytes) out1 = NULL;
      g_autoptr(GBytes) out2 = NULL;
      g_autoptr(GBytes) none = NULL;

      g_test_message ("size %" G_GSIZE_FORMAT, sizes[i]);
      g_assert_no_error (error);
      g_assert_false (air_age_needs_passphrase (file));
      out1 = air_age_decrypt (file, first, NULL, &error);
      g_assert_no_error (error);
      assert_same (out1, plain);
      out2 = air_age_decrypt (file, second, NULL, &error);
      g_assert_no_error (error);
      assert_same (out2, plain);

      none = air_age_decrypt (file, stranger, NULL, &error);
      g_assert_null (none);
      g_assert_error (error, AIR_ERROR, AIR_ERROR_REFUSED);
    }
}

static void
test_passphrase (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) plain = pattern (1000);
  g_autoptr(GBytes) file = air_age_encrypt_passphrase (plain, "correct horse", TEST_LOG_N, &error);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) wrong = NULL;
  g_autoptr(GBytes) without = NULL;

  g_assert_no_error (error);
  g_assert_true (air_age_needs_passphrase (file));
  out = air_age_decrypt (file, NULL, "correct horse", &error);
  g_assert_no_error (error);
  assert_same (out, plain);

  wrong = air_age_decrypt (file, NULL, "wrong horse", &error);
  g_assert_null (wrong);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_REFUSED);
  g_clear_error (&error);

  without = air_age_decrypt (file, NULL, NULL, &error);
  g_assert_null (without);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_null (air_age_encrypt_passphrase (plain, "", TEST_LOG_N, &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT);
}

/* The vault's way: the identity stays with whoever unwraps (here a
 * callback standing in for the vault); a wrong file key is caught by the
 * header's MAC, a passphrase file refused before any unwrapping. */
typedef struct {
  const char *identity;
  gboolean    wrong;
  guint       calls;
} Unwrapper;

static gboolean
unwrap_cb (GPtrArray  *stanzas,
           guint8      file_key[AIR_AGE_FILE_KEY_LEN],
           gpointer    user_data,
           GError    **error)
{
  Unwrapper *unwrapper = user_data;

  unwrapper->calls++;
  for (guint i = 0; i < stanzas->len; i++)
    if (air_age_unwrap_x25519 (unwrapper->identity, stanzas->pdata[i], file_key, error))
      {
        if (unwrapper->wrong)
          file_key[0] ^= 1;
        return TRUE;
      }
  if (error != NULL && *error == NULL)
    g_set_error_literal (error, AIR_ERROR, AIR_ERROR_REFUSED, "not mine");
  return FALSE;
}

static void
test_unwrap (void)
{
  g_autofree char *id1 = NULL, *r1 = NULL, *id2 = NULL, *r2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) plain = pattern (70000);
  g_autoptr(GBytes) file = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) bad = NULL;
  g_autoptr(GBytes) stranger = NULL;
  g_autoptr(GBytes) scrypt = NULL;
  g_autoptr(GBytes) refused = NULL;
  Unwrapper unwrapper = { 0 };

  g_assert_true (air_age_keygen (&id1, &r1, NULL));
  g_assert_true (air_age_keygen (&id2, &r2, NULL));
  {
    const char *recipients[] = { r2, r1, NULL };

    file = air_age_encrypt (plain, recipients, &error);
    g_assert_no_error (error);
  }

  unwrapper.identity = id1;
  out = air_age_decrypt_with_unwrap (file, unwrap_cb, &unwrapper, &error);
  g_assert_no_error (error);
  assert_same (out, plain);
  g_assert_cmpuint (unwrapper.calls, ==, 1);

  unwrapper.wrong = TRUE;
  bad = air_age_decrypt_with_unwrap (file, unwrap_cb, &unwrapper, &error);
  g_assert_null (bad);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
  g_clear_error (&error);

  {
    g_autofree char *id3 = NULL, *r3 = NULL;

    g_assert_true (air_age_keygen (&id3, &r3, NULL));
    unwrapper.identity = id3;
    unwrapper.wrong = FALSE;
    stranger = air_age_decrypt_with_unwrap (file, unwrap_cb, &unwrapper, &error);
    g_assert_null (stranger);
    g_assert_error (error, AIR_ERROR, AIR_ERROR_REFUSED);
    g_clear_error (&error);
  }

  scrypt = air_age_encrypt_passphrase (plain, "correct horse", TEST_LOG_N, &error);
  g_assert_no_error (error);
  unwrapper.calls = 0;
  refused = air_age_decrypt_with_unwrap (scrypt, unwrap_cb, &unwrapper, &error);
  g_assert_null (refused);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (unwrapper.calls, ==, 0);
}

/* Our files opened by age, age's files opened by us. */
static void
test_interop (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) plain = pattern (150000);
  g_autofree char *plain_path = tmp_path ("plain");
  g_autofree char *id_path = tmp_path ("age.key");
  g_autofree char *enc_path = tmp_path ("by-age.age");
  g_autofree char *ours_path = tmp_path ("ours.age");
  g_autofree char *out_path = tmp_path ("out");
  g_autofree char *keygen_out = NULL;
  g_autofree char *recipient = NULL;
  g_autofree char *tty = g_test_build_filename (G_TEST_DIST, "core", "age-tty.py", NULL);
  g_auto(GStrv) identities = NULL;
  g_autoptr(GBytes) key_file = NULL;
  int status;

  if (!have_age ())
    return;
  write_file (plain_path, plain);

  {
    const char *argv[] = { "age-keygen", "-o", id_path, NULL };
    keygen_out = run (argv, &status);
    g_assert_cmpint (status, ==, 0);
  }
  key_file = read_file (id_path);
  identities = air_age_parse_key_file (g_bytes_get_data (key_file, NULL), "AGE-SECRET-KEY-1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (identities), ==, 1);
  recipient = air_age_identity_to_recipient (identities[0], &error);
  g_assert_no_error (error);

  /* age -r → us */
  {
    const char *argv[] = { "age", "-r", recipient, "-o", enc_path, plain_path, NULL };
    g_autofree char *out = run (argv, &status);
    g_autoptr(GBytes) file = NULL;
    g_autoptr(GBytes) opened = NULL;

    g_assert_cmpint (status, ==, 0);
    file = read_file (enc_path);
    opened = air_age_decrypt (file, (const char * const *) identities, NULL, &error);
    g_assert_no_error (error);
    assert_same (opened, plain);
  }

  /* us → age -d -i */
  {
    const char *recipients[] = { recipient, NULL };
    const char *argv[] = { "age", "-d", "-i", id_path, "-o", out_path, ours_path, NULL };
    g_autoptr(GBytes) file = air_age_encrypt (plain, recipients, &error);
    g_autofree char *out = NULL;
    g_autoptr(GBytes) opened = NULL;

    g_assert_no_error (error);
    write_file (ours_path, file);
    out = run (argv, &status);
    g_assert_cmpint (status, ==, 0);
    opened = read_file (out_path);
    assert_same (opened, plain);
  }

  /* our passphrase file → age -d (on a terminal, as age asks) */
  {
    g_autoptr(GBytes) file = air_age_encrypt_passphrase (plain, "pass phrase 1", TEST_LOG_N, &error);
    const char *argv[] = { tty, "pass phrase 1", "age", "-d", "-o", out_path, ours_path, NULL };
    g_autofree char *out = NULL;
    g_autoptr(GBytes) opened = NULL;

    g_assert_no_error (error);
    g_remove (out_path);
    write_file (ours_path, file);
    out = run (argv, &status);
    g_assert_cmpint (status, ==, 0);
    opened = read_file (out_path);
    assert_same (opened, plain);
  }

  /* age -p → us, with age's own work factor */
  {
    const char *argv[] = { tty, "pass phrase 2", "age", "-p", "-o", enc_path, plain_path, NULL };
    g_autofree char *out = NULL;
    g_autoptr(GBytes) file = NULL;
    g_autoptr(GBytes) opened = NULL;
    g_autoptr(GBytes) wrong = NULL;

    g_remove (enc_path);
    out = run (argv, &status);
    g_assert_cmpint (status, ==, 0);
    file = read_file (enc_path);
    g_assert_true (air_age_needs_passphrase (file));
    opened = air_age_decrypt (file, NULL, "pass phrase 2", &error);
    g_assert_no_error (error);
    assert_same (opened, plain);
    wrong = air_age_decrypt (file, NULL, "pass phrase 3", &error);
    g_assert_null (wrong);
    g_assert_error (error, AIR_ERROR, AIR_ERROR_REFUSED);
  }
}

/* Every byte of a small file flipped, and every cut: refused, never
 * opened into something else. */
static void
test_tampered (void)
{
  g_autofree char *id = NULL, *r = NULL;
  g_autoptr(GBytes) plain = pattern (70000);
  g_autoptr(GBytes) file = NULL;
  g_autoptr(GError) error = NULL;
  const char *recipients[] = { NULL, NULL };
  const char *identities[] = { NULL, NULL };
  const guint8 *data;
  gsize len;

  g_assert_true (air_age_keygen (&id, &r, NULL));
  recipients[0] = r;
  identities[0] = id;
  file = air_age_encrypt (plain, recipients, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (file, &len);

  /* flips: the whole header, then a stride through the payload */
  for (gsize at = 0; at < len; at += at < 300 ? 1 : 997)
    {
      g_autofree guint8 *copy = g_memdup2 (data, len);
      g_autoptr(GBytes) bad = NULL;
      g_autoptr(GBytes) opened = NULL;
      g_autoptr(GError) local_error = NULL;

      copy[at] ^= 0x20;
      bad = g_bytes_new (copy, len);
      opened = air_age_decrypt (bad, identities, NULL, &local_error);
      if (opened != NULL)
        g_error ("a file changed at byte %" G_GSIZE_FORMAT " was opened", at);
      g_assert_nonnull (local_error);
    }

  /* cuts, and one byte too many */
  for (gsize cut = 0; cut <= len + 1; cut += cut < 300 ? 1 : 4099)
    {
      g_autoptr(GBytes) bad = NULL;
      g_autoptr(GBytes) opened = NULL;
      g_autoptr(GError) local_error = NULL;

      if (cut == len)
        continue;
      if (cut < len)
        bad = g_bytes_new (data, cut);
      else
        {
          g_autofree guint8 *longer = g_malloc0 (len + 1);

          memcpy (longer, data, len);
          bad = g_bytes_new (longer, len + 1);
        }
      opened = air_age_decrypt (bad, identities, NULL, &local_error);
      if (opened != NULL)
        g_error ("a file cut at %" G_GSIZE_FORMAT " bytes was opened", cut);
      g_assert_nonnull (local_error);
    }
}

static void
test_hostile_headers (void)
{
  static const char * const bad[] = {
    "",
    "age-encryption.org/v2\n",
    "age-encryption.org/v1\n",
    "age-encryption.org/v1\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
    "age-encryption.org/v1\n-> X25519\n",
    "age-encryption.org/v1\n-> X25519 AAAA\n",                       /* no body end */
    "age-encryption.org/v1\n->  X25519\n\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
    "age-encryption.org/v1\n-> X25519 A\tB\n\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
    "age-encryption.org/v1\n-> X25519\nAAA=\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
    "age-encryption.org/v1\n-> X25519\nAB\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",   /* stray bits */
    "age-encryption.org/v1\n-> X25519\n\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",    /* short MAC */
    "age-encryption.org/v1\n-> X25519\n\n---AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
    "age-encryption.org/v1\n-> X25519\n\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",     /* no newline */
    "-----BEGIN AGE ENCRYPTED FILE-----\n",
  };
  g_autoptr(GString) many = g_string_new ("age-encryption.org/v1\n");
  g_autoptr(GString) long_body = g_string_new ("age-encryption.org/v1\n-> X25519\n");
  g_autoptr(GString) long_line = g_string_new ("age-encryption.org/v1\n-> X25519 ");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AirAgeHeader) header = NULL;

      test_note ("bad header", i, bad[i]);
      header = air_age_header_parse ((const guint8 *) bad[i], strlen (bad[i]), &error);
      g_assert_null (header);
      g_assert_nonnull (error);
    }

  for (guint i = 0; i <= AIR_AGE_MAX_STANZAS; i++)
    g_string_append (many, "-> X25519\n\n");
  g_string_append (many, "--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n");
  for (guint i = 0; i < 100; i++)
    g_string_append (long_body, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n");
  g_string_append (long_body, "\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n");
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (long_line, 'A');

  {
    g_autoptr(GError) error = NULL;
    g_assert_null (air_age_header_parse ((const guint8 *) many->str, many->len, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
    g_assert_null (air_age_header_parse ((const guint8 *) long_body->str, long_body->len, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
    g_assert_null (air_age_header_parse ((const guint8 *) long_line->str, long_line->len, &error));
    g_assert_nonnull (error);
  }

  /* and one that is well-formed: two stanzas, a body of exactly 64 columns */
  {
    const char *good = "age-encryption.org/v1\n"
                       "-> X25519 AAAA\n"
                       "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
                       "\n"
                       "-> other-type a b c\n"
                       "AAAA\n"
                       "--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
                       "payload";
    g_autoptr(GError) error = NULL;
    g_autoptr(AirAgeHeader) header = air_age_header_parse ((const guint8 *) good, strlen (good), &error);
    AirAgeStanza *second;

    g_assert_no_error (error);
    g_assert_cmpuint (header->stanzas->len, ==, 2);
    g_assert_cmpuint (g_bytes_get_size (((AirAgeStanza *) header->stanzas->pdata[0])->body), ==, 48);
    second = header->stanzas->pdata[1];
    g_assert_cmpstr (second->type, ==, "other-type");
    g_assert_cmpuint (g_strv_length (second->args), ==, 3);
    g_assert_cmpuint (header->length, ==, strlen (good) - strlen ("payload"));
  }
}

/* A file over AIR_AGE_MAX_FILE is refused before anything is read from
 * it, by both ways to decrypt: the vault's identity is not even asked. */
static void
test_too_large (void)
{
  g_autofree char *identity = NULL, *recipient = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) plain = pattern (1000);
  g_autoptr(GBytes) file = NULL;
  g_autoptr(GBytes) huge = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) unwrapped = NULL;
  Unwrapper unwrapper = { 0 };
  guint8 *data;
  gsize len;

  g_assert_true (air_age_keygen (&identity, &recipient, NULL));
  {
    const char *recipients[] = { recipient, NULL };

    file = air_age_encrypt (plain, recipients, &error);
    g_assert_no_error (error);
  }
  /* The valid file, then zeros up to one byte over the limit. */
  data = g_malloc0 (AIR_AGE_MAX_FILE + 1);
  len = g_bytes_get_size (file);
  memcpy (data, g_bytes_get_data (file, NULL), len);
  huge = g_bytes_new_take (data, AIR_AGE_MAX_FILE + 1);

  {
    const char *identities[] = { identity, NULL };

    out = air_age_decrypt (huge, identities, NULL, &error);
    g_assert_null (out);
    g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "larger than 16 MiB"));
    g_clear_error (&error);
  }

  unwrapper.identity = identity;
  unwrapped = air_age_decrypt_with_unwrap (huge, unwrap_cb, &unwrapper, &error);
  g_assert_null (unwrapped);
  g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "larger than 16 MiB"));
  g_assert_cmpuint (unwrapper.calls, ==, 0);
}

int
main (int argc, char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("air-test-age-XXXXXX", NULL);
  g_test_add_func ("/air/age/keys", test_keys);
  g_test_add_func ("/air/age/round-trip", test_round_trip);
  g_test_add_func ("/air/age/passphrase", test_passphrase);
  g_test_add_func ("/air/age/unwrap", test_unwrap);
  g_test_add_func ("/air/age/too-large", test_too_large);
  g_test_add_func ("/air/age/interop", test_interop);
  g_test_add_func ("/air/age/tampered", test_tampered);
  g_test_add_func ("/air/age/hostile-headers", test_hostile_headers);
  status = g_test_run ();
  test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  return status;
}
