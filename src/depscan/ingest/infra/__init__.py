"""Infrastructure: container images, CI workflows, Kubernetes, Helm and Terraform: the build chain and the hosts."""
