// Recall case nd-werf-deployedimages
// Source: github.com/werf/werf commit 76efdce29d024033f019e2904389e13b0aa02f34 (pkg/cleaning/allow_list/kubernetes.go)
// Link: https://github.com/werf/werf/commit/76efdce29d024033f019e2904389e13b0aa02f34
// Bug: DeployedDockerImages receives a ctx but its helpers getPodsImages/getReplicationControllersImages/getDeploymentsImages list Kubernetes resources with context.Background(), so the API calls cannot be cancelled and have no deadline.
// Fix: Pass the caller's ctx down to every helper and use it for the List calls.
// Rule: nodeadline
package allowlist

import (
	"context"
	"fmt"
)

type DeployedImage struct {
	Name           string
	ResourcesNames []string
}

func AppendDeployedImages(deployedImages []*DeployedImage, newDeployedImages ...*DeployedImage) (res []*DeployedImage) {
	for _, desc := range deployedImages {
		res = append(res, &DeployedImage{
			Name:           desc.Name,
			ResourcesNames: desc.ResourcesNames,
		})
	}

AppendNewImages:
	for _, newDesc := range newDeployedImages {
		for _, desc := range res {
			if desc.Name == newDesc.Name {
				desc.ResourcesNames = append(desc.ResourcesNames, newDesc.ResourcesNames...)
				continue AppendNewImages
			}
		}

		res = append(res, &DeployedImage{
			Name:           newDesc.Name,
			ResourcesNames: newDesc.ResourcesNames,
		})
	}

	return
}

func DeployedDockerImages(ctx context.Context, kubernetesClient Interface, kubernetesNamespace string) ([]*DeployedImage, error) {
	var deployedDockerImages []*DeployedImage

	images, err := getPodsImages(kubernetesClient, kubernetesNamespace)
	if err != nil {
		return nil, fmt.Errorf("cannot get Pods images: %w", err)
	}
	deployedDockerImages = AppendDeployedImages(deployedDockerImages, images...)

	images, err = getReplicationControllersImages(kubernetesClient, kubernetesNamespace)
	if err != nil {
		return nil, fmt.Errorf("cannot get ReplicationControllers images: %w", err)
	}
	deployedDockerImages = AppendDeployedImages(deployedDockerImages, images...)

	images, err = getDeploymentsImages(kubernetesClient, kubernetesNamespace)
	if err != nil {
		return nil, fmt.Errorf("cannot get Deployments images: %w", err)
	}
	deployedDockerImages = AppendDeployedImages(deployedDockerImages, images...)

	return deployedDockerImages, nil
}

func getPodsImages(kubernetesClient Interface, kubernetesNamespace string) ([]*DeployedImage, error) {
	var images []*DeployedImage
	list, err := kubernetesClient.CoreV1().Pods(kubernetesNamespace).List(context.Background(), ListOptions{})
	if err != nil {
		return nil, err
	}

	for _, pod := range list.Items {
		for _, container := range append(
			pod.Spec.Containers,
			pod.Spec.InitContainers...,
		) {
			images = AppendDeployedImages(images, &DeployedImage{
				Name:           container.Image,
				ResourcesNames: []string{fmt.Sprintf("ns/%s pod/%s container/%s", pod.Namespace, pod.Name, container.Name)},
			})
		}
	}

	return images, nil
}

func getReplicationControllersImages(kubernetesClient Interface, kubernetesNamespace string) ([]*DeployedImage, error) {
	var images []*DeployedImage
	list, err := kubernetesClient.CoreV1().ReplicationControllers(kubernetesNamespace).List(context.Background(), ListOptions{})
	if err != nil {
		return nil, err
	}

	for _, replicationController := range list.Items {
		for _, container := range append(
			replicationController.Spec.Template.Spec.Containers,
			replicationController.Spec.Template.Spec.InitContainers...,
		) {
			images = AppendDeployedImages(images, &DeployedImage{
				Name:           container.Image,
				ResourcesNames: []string{fmt.Sprintf("ns/%s rc/%s container/%s", replicationController.Namespace, replicationController.Name, container.Name)},
			})
		}
	}

	return images, nil
}

func getDeploymentsImages(kubernetesClient Interface, kubernetesNamespace string) ([]*DeployedImage, error) {
	var images []*DeployedImage
	list, err := kubernetesClient.AppsV1().Deployments(kubernetesNamespace).List(context.Background(), ListOptions{})
	if err != nil {
		return nil, err
	}

	for _, deployment := range list.Items {
		for _, container := range append(
			deployment.Spec.Template.Spec.Containers,
			deployment.Spec.Template.Spec.InitContainers...,
		) {
			images = AppendDeployedImages(images, &DeployedImage{
				Name:           container.Image,
				ResourcesNames: []string{fmt.Sprintf("ns/%s deploy/%s container/%s", deployment.Namespace, deployment.Name, container.Name)},
			})
		}
	}

	return images, nil
}
