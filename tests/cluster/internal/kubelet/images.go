package kubelet

import (
	"fmt"
	"os"
	"path/filepath"

	"sigs.k8s.io/yaml"
)

// imageConfig is the format of tests/cluster/images.yaml.
type imageConfig struct {
	LockFiles []struct {
		Path   string `json:"path"`
		Folder string `json:"folder"`
	} `json:"lockFiles"`
	Images []struct {
		Image  string `json:"image"`
		Folder string `json:"folder"`
	} `json:"images"`
}

// lockFile is the part of images.lock that maps images: images.NAME.image.
type lockFile struct {
	Images map[string]struct {
		Image string `json:"image"`
	} `json:"images"`
}

// imageResolver maps image references to local folders.
type imageResolver struct {
	configPath string
	repoRoot   string
}

// resolve returns the folder an image maps to, "" for an image that runs
// host commands only, or an error that reads like a failed pull.
func (r *imageResolver) resolve(image string) (folder string, err error) {
	folders, err := r.load()
	if err != nil {
		return "", err
	}
	folder, ok := folders[image]
	if !ok {
		return "", fmt.Errorf("rpc error: code = NotFound desc = failed to pull and unpack image %q: failed to resolve reference %q: %s: not found", image, image, image)
	}
	return folder, nil
}

// load reads the configuration and the lock files it names, every time, so
// that edits apply to the next pull.
func (r *imageResolver) load() (map[string]string, error) {
	var config imageConfig
	if err := readYAML(r.configPath, &config); err != nil {
		return nil, err
	}

	folders := map[string]string{}
	for _, lock := range config.LockFiles {
		var lf lockFile
		if err := readYAML(r.abs(lock.Path), &lf); err != nil {
			return nil, err
		}
		for _, entry := range lf.Images {
			folders[entry.Image] = r.abs(lock.Folder)
		}
	}
	for _, entry := range config.Images {
		folders[entry.Image] = ""
		if entry.Folder != "" {
			folders[entry.Image] = r.abs(entry.Folder)
		}
	}
	return folders, nil
}

func (r *imageResolver) abs(path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(r.repoRoot, path)
}

func readYAML(path string, into any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading image configuration: %w", err)
	}
	if err := yaml.Unmarshal(data, into); err != nil {
		return fmt.Errorf("parsing %s: %w", path, err)
	}
	return nil
}
