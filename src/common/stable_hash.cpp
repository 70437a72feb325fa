#include "common/stable_hash.h"

#include <xxhash.h>

#include "smallpond/error.h"

namespace smallpond {

// High then low 64 bits, 16 hex digits each.
static std::string hex128(XXH128_hash_t h) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int i = 0; i < 16; i++) {
    out[15 - i] = kDigits[(h.high64 >> (4 * i)) & 0xf];
    out[31 - i] = kDigits[(h.low64 >> (4 * i)) & 0xf];
  }
  return out;
}

std::string stable_hash(std::string_view text) {
  return hex128(XXH3_128bits(text.data(), text.size()));
}

struct StableHasher::State {
  XXH3_state_t* xxh = XXH3_createState();
  ~State() { XXH3_freeState(xxh); }
};

StableHasher::StableHasher() : state_(std::make_unique<State>()) {
  if (!state_->xxh || XXH3_128bits_reset(state_->xxh) != XXH_OK)
    throw InternalError("cannot start a hash");
}

StableHasher::~StableHasher() = default;

StableHasher& StableHasher::operator<<(std::string_view text) {
  XXH3_128bits_update(state_->xxh, text.data(), text.size());
  return *this;
}

namespace {
// Where nlohmann's serializer writes dump()'s characters: into the hash.
class HashOutput : public nlohmann::detail::output_adapter_protocol<char> {
 public:
  explicit HashOutput(StableHasher& hasher) : hasher_(hasher) {}
  void write_character(char c) override { hasher_ << c; }
  void write_characters(const char* s, std::size_t length) override {
    hasher_ << std::string_view(s, length);
  }

 private:
  StableHasher& hasher_;
};
}  // namespace

StableHasher& StableHasher::add_json(const Json& json) {
  // As json.dump() serialises: no indent, no ASCII escaping, strict UTF-8.
  nlohmann::detail::serializer<Json> serializer(std::make_shared<HashOutput>(*this), ' ');
  serializer.dump(json, false, false, 0);
  return *this;
}

std::string StableHasher::hex() const { return hex128(XXH3_128bits_digest(state_->xxh)); }

}  // namespace smallpond
