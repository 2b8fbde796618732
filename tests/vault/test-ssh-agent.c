/* test-ssh-agent.c — the vault's ssh-agent protocol and key formats, in memory
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "air-test"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "air-error.h"
#include "air-json.h"
#include "air-secret.h"
#include "air-ssh-agent.h"
#include "air-ssh-key.h"
#include "air-ssh-wire.h"
#include "air-vault-client.h"

static AirSshAgent *
new_agent (guint8 public_key[AIR_ED25519_PUBLIC_BYTES])
{
  g_autoptr(GError) error = NULL;
  AirSecret *secret = air_ssh_key_generate (public_key);
  AirSshAgent *agent = air_ssh_agent_new (secret, "qubes-air-test", &error);

  g_assert_no_error (error);
  g_assert_nonnull (agent);
  return agent;
}

static guint8
answer_type (GBytes *answer)
{
  g_assert_cmpuint (g_bytes_get_size (answer), >=, 1);
  return ((const guint8 *) g_bytes_get_data (answer, NULL))[0];
}

static void
test_identities (void)
{
  guint8 public_key[AIR_ED25519_PUBLIC_BYTES];
  g_autoptr(AirSshAgent) agent = new_agent (public_key);
  g_autoptr(GBytes) blob = air_ssh_key_public_blob (public_key);
  static const guint8 request[] = { AIR_SSH_AGENTC_REQUEST_IDENTITIES };
  g_autoptr(GBytes) answer = air_ssh_agent_handle (agent, request, sizeof request);
  AirSshReader reader;
  const guint8 *key = NULL, *comment = NULL;
  gsize key_len = 0, comment_len = 0;
  guint8 type = 0;
  guint32 n = 0;

  air_ssh_reader_init (&reader, g_bytes_get_data (answer, NULL), g_bytes_get_size (answer));
  g_assert_true (air_ssh_read_u8 (&reader, &type));
  g_assert_cmpuint (type, ==, AIR_SSH_AGENT_IDENTITIES_ANSWER);
  g_assert_true (air_ssh_read_u32 (&reader, &n));
  g_assert_cmpuint (n, ==, 1);
  g_assert_true (air_ssh_read_string (&reader, &key, &key_len));
  g_assert_cmpmem (key, key_len, g_bytes_get_data (blob, NULL), g_bytes_get_size (blob));
  g_assert_true (air_ssh_read_string (&reader, &comment, &comment_len));
  g_assert_cmpmem (comment, comment_len, "qubes-air-test", 14);
  g_assert_cmpuint (reader.left, ==, 0);
}

static GBytes *
sign_request (GBytes       *blob,
              const char   *data,
              guint32       flags)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint8 type = AIR_SSH_AGENTC_SIGN_REQUEST;

  g_byte_array_append (out, &type, 1);
  air_ssh_put_string (out, g_bytes_get_data (blob, NULL), g_bytes_get_size (blob));
  air_ssh_put_string (out, data, strlen (data));
  air_ssh_put_u32 (out, flags);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static void
test_sign (void)
{
  guint8 public_key[AIR_ED25519_PUBLIC_BYTES];
  g_autoptr(AirSshAgent) agent = new_agent (public_key);
  g_autoptr(GBytes) blob = air_ssh_key_public_blob (public_key);
  g_autoptr(GBytes) request = sign_request (blob, "data to sign", 0);
  g_autoptr(GBytes) answer = NULL;
  AirSshReader reader, inner;
  const guint8 *signature = NULL, *name = NULL, *sig = NULL;
  gsize signature_len = 0, name_len = 0, sig_len = 0;
  guint8 type = 0;

  answer = air_ssh_agent_handle (agent, g_bytes_get_data (request, NULL), g_bytes_get_size (request));
  air_ssh_reader_init (&reader, g_bytes_get_data (answer, NULL), g_bytes_get_size (answer));
  g_assert_true (air_ssh_read_u8 (&reader, &type));
  g_assert_cmpuint (type, ==, AIR_SSH_AGENT_SIGN_RESPONSE);
  g_assert_true (air_ssh_read_string (&reader, &signature, &signature_len));
  g_assert_cmpuint (reader.left, ==, 0);

  air_ssh_reader_init (&inner, signature, signature_len);
  g_assert_true (air_ssh_read_string (&inner, &name, &name_len));
  g_assert_true (air_ssh_string_equal (name, name_len, "ssh-ed25519"));
  g_assert_true (air_ssh_read_string (&inner, &sig, &sig_len));
  g_assert_cmpuint (sig_len, ==, crypto_sign_BYTES);
  g_assert_cmpint (crypto_sign_verify_detached (sig, (const guint8 *) "data to sign", 12, public_key), ==, 0);
  g_assert_cmpint (crypto_sign_verify_detached (sig, (const guint8 *) "data to sigN", 12, public_key), !=, 0);
}

static void
test_refusals (void)
{
  guint8 public_key[AIR_ED25519_PUBLIC_BYTES], other_key[AIR_ED25519_PUBLIC_BYTES];
  g_autoptr(AirSshAgent) agent = new_agent (public_key);
  g_autoptr(AirSecret) other = air_ssh_key_generate (other_key);
  g_autoptr(GBytes) blob = air_ssh_key_public_blob (public_key);
  g_autoptr(GBytes) other_blob = air_ssh_key_public_blob (other_key);
  g_autoptr(GBytes) wrong_key = sign_request (other_blob, "x", 0);
  g_autoptr(GBytes) odd_flags = sign_request (blob, "x", 0x100);
  g_autoptr(GBytes) trailing = NULL;
  g_autoptr(GByteArray) with_tail = g_byte_array_new ();
  static const guint8 empty[1] = { 0 };
  static const guint8 cases[][12] = {
    { AIR_SSH_AGENTC_SIGN_REQUEST },
    { AIR_SSH_AGENTC_SIGN_REQUEST, 0xff, 0xff, 0xff, 0xff, 1, 2, 3 },
    { AIR_SSH_AGENTC_SIGN_REQUEST, 0, 0, 0, 4, 1, 2 },
    { AIR_SSH_AGENTC_REQUEST_IDENTITIES, 0 },
    { 17 /* ADD_IDENTITY */, 0, 0, 0, 0 },
    { 18 /* REMOVE_IDENTITY */ },
    { 19 /* REMOVE_ALL */ },
    { 22 /* LOCK */, 0, 0, 0, 1, 'x' },
    { 27 /* EXTENSION */, 0, 0, 0, 3, 'a', 'b', 'c' },
    { 1 /* SSH1 request */ },
    { 255 },
  };
  static const gsize lengths[] = { 1, 8, 7, 2, 5, 1, 1, 6, 8, 1, 1 };

  G_STATIC_ASSERT (G_N_ELEMENTS (cases) == G_N_ELEMENTS (lengths));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) answer = air_ssh_agent_handle (agent, cases[i], lengths[i]);

      g_assert_cmpuint (answer_type (answer), ==, AIR_SSH_AGENT_FAILURE);
      g_assert_cmpuint (g_bytes_get_size (answer), ==, 1);
    }

  {
    g_autoptr(GBytes) answer = air_ssh_agent_handle (agent, empty, 0);
    g_assert_cmpuint (answer_type (answer), ==, AIR_SSH_AGENT_FAILURE);
  }
  {
    g_autoptr(GBytes) answer = air_ssh_agent_handle (agent, g_bytes_get_data (wrong_key, NULL),
                                                     g_bytes_get_size (wrong_key));
    g_assert_cmpuint (answer_type (answer), ==, AIR_SSH_AGENT_FAILURE);
  }
  {
    g_autoptr(GBytes) answer = air_ssh_agent_handle (agent, g_bytes_get_data (odd_flags, NULL),
                                                     g_bytes_get_size (odd_flags));
    g_assert_cmpuint (answer_type (answer), ==, AIR_SSH_AGENT_FAILURE);
  }

  trailing = sign_request (blob, "x", 0);
  g_byte_array_append (with_tail, g_bytes_get_data (trailing, NULL), g_bytes_get_size (trailing));
  g_byte_array_append (with_tail, (const guint8 *) "!", 1);
  {
    g_autoptr(GBytes) answer = air_ssh_agent_handle (agent, with_tail->data, with_tail->len);
    g_assert_cmpuint (answer_type (answer), ==, AIR_SSH_AGENT_FAILURE);
  }
}

/* Random messages, and valid ones with random bytes changed: an answer
 * every time, never a crash. */
static void
test_fuzz (void)
{
  guint8 public_key[AIR_ED25519_PUBLIC_BYTES];
  g_autoptr(AirSshAgent) agent = new_agent (public_key);
  g_autoptr(GBytes) blob = air_ssh_key_public_blob (public_key);
  g_autoptr(GBytes) valid = sign_request (blob, "fuzz", 0);

  for (guint round = 0; round < 20000; round++)
    {
      g_autofree guint8 *message = NULL;
      g_autoptr(GBytes) answer = NULL;
      gsize len;

      if (round % 2 == 0)
        {
          len = g_test_rand_int_range (0, 200);
          message = g_malloc (len + 1);
          for (gsize i = 0; i < len; i++)
            message[i] = g_test_rand_int_range (0, 256);
          if (len > 0 && round % 4 == 0)
            message[0] = g_test_rand_bit () ? AIR_SSH_AGENTC_SIGN_REQUEST : AIR_SSH_AGENTC_REQUEST_IDENTITIES;
        }
      else
        {
          len = g_bytes_get_size (valid);
          message = g_memdup2 (g_bytes_get_data (valid, NULL), len);
          message[g_test_rand_int_range (0, len)] = g_test_rand_int_range (0, 256);
          len = g_test_rand_int_range (1, len + 1);
        }

      answer = air_ssh_agent_handle (agent, message, len);
      g_assert_cmpuint (g_bytes_get_size (answer), >=, 1);
    }
}

/* Runs the frame loop over pipes: @input goes in, the answers come out. */
static gboolean
serve_bytes (AirSshAgent  *agent,
             const guint8 *input,
             gsize         len,
             GByteArray   *output,
             GError      **error)
{
  int in_pipe[2], out_pipe[2];
  gboolean ok;
  guint8 buffer[4096];
  gssize n;

  g_assert_cmpint (pipe (in_pipe), ==, 0);
  g_assert_cmpint (pipe (out_pipe), ==, 0);
  g_assert_cmpuint (len, <, 60000);
  g_assert_cmpint (write (in_pipe[1], input, len), ==, (gssize) len);
  close (in_pipe[1]);

  ok = air_ssh_agent_serve (agent, in_pipe[0], out_pipe[1], error);
  close (in_pipe[0]);
  close (out_pipe[1]);

  while ((n = read (out_pipe[0], buffer, sizeof buffer)) > 0)
    g_byte_array_append (output, buffer, n);
  close (out_pipe[0]);
  return ok;
}

static void
test_frames (void)
{
  guint8 public_key[AIR_ED25519_PUBLIC_BYTES];
  g_autoptr(AirSshAgent) agent = new_agent (public_key);
  static const guint8 two_requests[] = { 0, 0, 0, 1, 11, 0, 0, 0, 1, 11 };
  static const guint8 oversized[] = { 0xff, 0xff, 0xff, 0xff, 11 };
  static const guint8 just_over[] = { 0, 0x04, 0, 0x01, 11 };
  static const guint8 truncated_body[] = { 0, 0, 0, 100, 13, 1, 2, 3 };
  static const guint8 truncated_header[] = { 0, 0 };
  static const guint8 zero_length[] = { 0, 0, 0, 0 };

  {
    g_autoptr(GByteArray) output = g_byte_array_new ();
    g_autoptr(GError) error = NULL;

    g_assert_true (serve_bytes (agent, two_requests, sizeof two_requests, output, &error));
    g_assert_no_error (error);
    /* two identities answers, each with its length header */
    g_assert_cmpuint (output->len, >, 10);
    g_assert_cmpuint (output->data[4], ==, AIR_SSH_AGENT_IDENTITIES_ANSWER);
  }
  {
    g_autoptr(GByteArray) output = g_byte_array_new ();
    g_autoptr(GError) error = NULL;

    g_assert_true (serve_bytes (agent, (const guint8 *) "", 0, output, &error));
    g_assert_cmpuint (output->len, ==, 0);
  }
  {
    g_autoptr(GByteArray) output = g_byte_array_new ();
    g_autoptr(GError) error = NULL;

    g_assert_true (serve_bytes (agent, zero_length, sizeof zero_length, output, &error));
    g_assert_cmpuint (output->len, ==, 5);
    g_assert_cmpuint (output->data[4], ==, AIR_SSH_AGENT_FAILURE);
  }

  for (guint i = 0; i < 4; i++)
    {
      const guint8 *cases[] = { oversized, just_over, truncated_body, truncated_header };
      gsize lengths[] = { sizeof oversized, sizeof just_over, sizeof truncated_body, sizeof truncated_header };
      g_autoptr(GByteArray) output = g_byte_array_new ();
      g_autoptr(GError) error = NULL;

      g_assert_false (serve_bytes (agent, cases[i], lengths[i], output, &error));
      g_assert_error (error, AIR_ERROR, AIR_ERROR_PROTOCOL);
      g_assert_cmpuint (output->len, ==, 0);
    }
}

static char *
run_ssh_keygen (const char *dir,
                const char *passphrase,
                char      **out_public)
{
  g_autofree char *path = g_build_filename (dir, "id_ed25519", NULL);
  g_autofree char *pub_path = g_strconcat (path, ".pub", NULL);
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", "test", "-f", path, NULL };
  char *contents = NULL;
  int status;

  g_unlink (path);
  g_unlink (pub_path);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH |
                               G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (g_file_get_contents (pub_path, out_public, NULL, NULL));
  return contents;
}

static void
test_import (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *ssh_keygen = g_find_program_in_path ("ssh-keygen");
  g_autofree char *text = NULL;
  g_autofree char *public = NULL;
  g_autofree char *encrypted = NULL;
  g_autofree char *encrypted_public = NULL;
  g_autofree char *line = NULL;
  g_autoptr(AirSecret) secret = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) fields = NULL;
  guint8 public_key[AIR_ED25519_PUBLIC_BYTES];

  if (ssh_keygen == NULL)
    {
      g_test_skip ("ssh-keygen is not installed");
      return;
    }

  dir = g_dir_make_tmp ("air-ssh-key-XXXXXX", NULL);
  text = run_ssh_keygen (dir, "", &public);
  secret = air_ssh_key_import_openssh ((const guint8 *) text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_true (air_ssh_key_public_from_secret (secret, public_key, &error));
  line = air_ssh_key_public_line (public_key, "test");
  g_assert_true (air_vault_public_key_is_valid (line));
  g_assert_cmpstr (g_strstrip (public), ==, line);

  /* An encrypted key is refused, and the message says so without quoting it. */
  encrypted = run_ssh_keygen (dir, "passphrase", &encrypted_public);
  g_assert_null (air_ssh_key_import_openssh ((const guint8 *) encrypted, strlen (encrypted), &error));
  g_assert_error (error, AIR_ERROR, AIR_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "encrypted"));
  g_clear_error (&error);

  /* Every truncation and single-byte change of a real key: an error or a
   * key, never a crash, and no message quoting the key. */
  fields = g_strsplit (text, "\n", -1);
  for (gsize cut = 0; cut + 1 < strlen (text); cut += 7)
    {
      g_autoptr(AirSecret) result = air_ssh_key_import_openssh ((const guint8 *) text, cut, &error);

      g_assert_null (result);
      g_assert_nonnull (error);
      g_assert_null (strstr (error->message, fields[1]));
      g_clear_error (&error);
    }
  for (guint round = 0; round < 3000; round++)
    {
      g_autofree char *copy = g_strdup (text);
      g_autoptr(AirSecret) result = NULL;
      gsize at = g_test_rand_int_range (0, strlen (copy));

      copy[at] = (char) g_test_rand_int_range (1, 128);
      result = air_ssh_key_import_openssh ((const guint8 *) copy, strlen (copy), &error);
      if (result == NULL)
        {
          g_assert_nonnull (error);
          g_assert_null (strstr (error->message, fields[1]));
          g_clear_error (&error);
        }
    }

  g_assert_null (air_ssh_key_import_openssh ((const guint8 *) "", 0, &error));
  g_clear_error (&error);

  {
    g_autofree char *rm_dir = g_strdup_printf ("rm -rf '%s'", dir);
    g_assert_true (g_spawn_command_line_sync (rm_dir, NULL, NULL, NULL, NULL));
  }
}

/* The escaping the client and vault share gives JSON the strict reader
 * reads back as the same text. */
static void
test_json_escape (void)
{
  static const char *inputs[] = {
    "plain", "", "quote \" and backslash \\", "lines\nand\ttabs\r",
    "\x01\x1f\x7f controls", "ünïcødé ✓ 𝄞", "{\"json\": [1, 2]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      gsize len = air_vault_json_escape (NULL, inputs[i], strlen (inputs[i]));
      g_autofree char *escaped = g_malloc0 (len + 1);
      g_autofree char *document = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_cmpuint (air_vault_json_escape (escaped, inputs[i], strlen (inputs[i])), ==, len);
      document = g_strdup_printf ("\"%s\"", escaped);
      node = air_json_parse (document, strlen (document), 1024, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (json_node_get_string (node), ==, inputs[i]);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (air_secret_init (NULL));

  g_test_add_func ("/air/ssh-agent/identities", test_identities);
  g_test_add_func ("/air/ssh-agent/sign", test_sign);
  g_test_add_func ("/air/ssh-agent/refusals", test_refusals);
  g_test_add_func ("/air/ssh-agent/fuzz", test_fuzz);
  g_test_add_func ("/air/ssh-agent/frames", test_frames);
  g_test_add_func ("/air/ssh-key/import", test_import);
  g_test_add_func ("/air/vault-client/json-escape", test_json_escape);

  return g_test_run ();
}
