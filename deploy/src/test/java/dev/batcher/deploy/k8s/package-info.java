/** The Kubernetes manifests of docs/deploy/k8s: parsed strictly into fabric8's typed model, and checked to fit together. */
package dev.batcher.deploy.k8s;
