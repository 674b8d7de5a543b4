#include "mconv/core/planner.h"

#include "mconv/core/job_name.h"
#include "mconv/util/text.h"
#include "mconv/version.h"

namespace mconv::core {

namespace {

Result<std::string> choose_backend(const ConversionRequest& request, const GpuEntry& gpu, const LockedImage& image) {
  if (request.options.backend.empty()) return default_backend(gpu, image);

  const auto& backend = request.options.backend;
  if (!image.has_backend(backend)) {
    return fail(ErrorKind::usage, "invalid --backend '{}' for GPU '{}': its converter image offers {}", backend, gpu.name,
                util::join(image.backends, ", "));
  }
  if (backend == "tensorrt" && !gpu.needs_nvidia_gpu()) {
    return fail(ErrorKind::usage, "invalid --backend tensorrt for '{}': TensorRT engines need an NVIDIA GPU", gpu.name);
  }
  return backend;
}

}  // namespace

Result<ConversionPlan> plan_conversion(const ConversionRequest& request, const Catalog& catalog, const ImageLock& lock,
                                       const util::ProgressCallback& progress) {
  auto gpu = catalog.find(request.gpu);
  if (!gpu) return std::unexpected(gpu.error());
  auto image = lock.images.find((*gpu)->image);
  if (image == lock.images.end()) {
    return fail(ErrorKind::config, "GPU '{}' names image '{}', which {} does not pin", (*gpu)->name, (*gpu)->image, lock.source);
  }

  auto model = inspect_model(request.model_path);
  if (!model) return std::unexpected(model.error());

  ConversionPlan plan;
  plan.gpu = *gpu;
  plan.image = &image->second;
  plan.model = *model;
  plan.options = request.options;
  auto backend = choose_backend(request, **gpu, image->second);
  if (!backend) return std::unexpected(backend.error());
  plan.options.backend = *backend;
  if (auto error = check_options(plan.options, plan.model)) return std::unexpected(*error);

  auto sha256 = util::sha256_file(request.model_path, progress);
  if (!sha256) return std::unexpected(sha256.error());

  ConversionKey key{request.user, *sha256, request.model_path.stem().string(), plan.gpu->name, plan.options.canonical(), plan.image->digest};
  plan.job_name = job_name(key);
  plan.conversion_hash = conversion_hash(key);
  plan.user = request.user;
  plan.model_sha256 = *sha256;
  plan.model_file_name = request.model_path.filename().string();
  plan.namespace_name = !request.namespace_name.empty() ? request.namespace_name : plan.gpu->namespace_name.value_or("default");
  plan.storage_class = request.storage_class;
  plan.deadline_seconds = request.deadline_seconds;
  plan.keep_seconds = request.keep_seconds;
  plan.download_wait_seconds = request.download_wait_seconds;
  plan.mconv_version = std::string(version);
  return plan;
}

}  // namespace mconv::core
