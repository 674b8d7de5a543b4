#pragma once

#include <string>

namespace mconv::core {

// Everything that makes one conversion differ from another. Two requests with equal
// fields are the same conversion, so they share a Job.
struct ConversionKey {
  std::string user;          // the username the API server reports for the caller
  std::string model_sha256;  // 64 hex digits
  std::string model_stem;    // the model's file name without its extension, for readability
  std::string gpu;           // the catalog entry's name
  std::string options;       // the conversion options in canonical form
  std::string image_digest;  // sha256:<hex> of the converter image
};

// Returns the SHA-256 (hex) over every field of the key except the stem.
std::string conversion_hash(const ConversionKey& key);

// Returns "mconv-<user>-<stem>-<hash>": a valid DNS-1123 label of at most 63 characters
// for any input. The user and stem parts are shortened, lower-cased forms that only
// help people read the name. The 16-character hash (80 bits of the conversion hash)
// makes it unique. Parts that keep no letters or digits are left out.
std::string job_name(const ConversionKey& key);

// Reduces a username to lowercase letters, digits and '-': the local part of an email
// address, the name of a service account, the subject of an OIDC identity.
std::string readable_user(const std::string& user);

}  // namespace mconv::core
